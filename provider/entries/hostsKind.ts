import { isIP } from "node:net";
import { FieldFailure } from "../errors";
import { HostsRecord, hostsKey, parseHostsLine, renderHostsLine } from "../formats/hostsFile";
import { hostsTrailer } from "../formats/hostsFile";
import { checkHostname, isUnknown, show } from "../validation/fields";
import { EntryKind } from "./entryKind";

const MAX_NAMES = 64;

/** A hosts-file line: `ip  name [name...]`, identified by its first host name. */
export const hostsKind: EntryKind<HostsRecord> = {
  name: "hosts",
  label: "hosts entry",
  role: "hostsFile",
  fields: ["ip", "hostnames"],
  keyFields: ["hostnames"],
  check(news) {
    const failures: FieldFailure[] = [];
    let known = true;
    const ip = news.ip;
    if (isUnknown(ip)) known = false;
    else if (typeof ip !== "string" || isIP(ip) === 0) {
      failures.push({
        property: "ip",
        reason: `expected an IPv4 or IPv6 address such as "192.0.2.10", got ${show(ip)}`,
      });
    }
    const names = news.hostnames;
    if (isUnknown(names)) known = false;
    else if (!Array.isArray(names) || names.length === 0 || names.length > MAX_NAMES) {
      failures.push({
        property: "hostnames",
        reason: `expected a list of 1 to ${MAX_NAMES} host names, got ${show(names)}`,
      });
    } else {
      const seen = new Set<string>();
      names.forEach((n, i) => {
        if (isUnknown(n)) {
          known = false;
          return;
        }
        const reason = checkHostname(n);
        if (reason) failures.push({ property: `hostnames[${i}]`, reason });
        else if (seen.has((n as string).toLowerCase())) {
          failures.push({ property: `hostnames[${i}]`, reason: `${show(n)} is listed twice` });
        } else seen.add((n as string).toLowerCase());
      });
    }
    const props = { ip, hostnames: names };
    const entry = known && failures.length === 0 ? this.fromProps(props) : undefined;
    return { props, entry, failures };
  },
  fromProps: (p) => ({ ip: p.ip as string, hostnames: [...(p.hostnames as string[])] }),
  toProps: (e) => ({ ip: e.ip, hostnames: [...e.hostnames] }),
  key: (e) => hostsKey(e.hostnames),
  render: renderHostsLine,
  display: renderHostsLine,
  parse: parseHostsLine,
  same: (a, b) =>
    a.ip === b.ip &&
    a.hostnames.length === b.hostnames.length &&
    a.hostnames.every((n, i) => n.toLowerCase() === b.hostnames[i].toLowerCase()),
  trailer: hostsTrailer,
  insertAt: (doc) => doc.length,
};
