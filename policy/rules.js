"use strict";
// The mail-relay safety rules, as plain functions of a resource's type and inputs, so that they
// can be tested without the policy engine. Each returns the violations it finds, or [].

const TRUST = "pulumi-nodejs:dynamic/epost:RelayTrust";
const ROUTE = "pulumi-nodejs:dynamic/epost:GatewayRoute";

/** Exchange Online's hosts: SMTP relay on 25, SMTP AUTH (XOAUTH2) on 587. */
const EXO_RELAY = /\.mail\.protection\.outlook\.com$/i;
const EXO_SUBMISSION = /^smtp\.office365\.com$/i;

function prefixOf(source) {
  if (source === "*" || source === "*.*.*.*") return 0;
  const cidr = /^[0-9.]+\/(\d+)$/.exec(source);
  if (cidr) return Number(cidr[1]);
  if (/^[0-9*.]+$/.test(source) && source.includes("*")) {
    return source.split(".").filter((p) => p !== "*").length * 8;
  }
  if (/^[0-9.]+$/.test(source)) return 32;
  return undefined;
}

/** No domain-wide or catch-all `true`, and `true` wider than /24 only with allowBroadRange. */
function relayTrust(type, props) {
  if (type !== TRUST) return [];
  const source = String(props.source ?? "");
  const action = props.action ?? "true";
  if (action !== "true") return [];
  if (!source.includes("@") && prefixOf(source) === undefined) {
    return [
      `"true" for the whole domain ${source} lets anyone relay by forging the envelope sender`,
    ];
  }
  if (source.startsWith("*@"))
    return [`"true" for ${source} lets anyone relay by forging the envelope sender`];
  const prefix = prefixOf(source);
  if (prefix === 0) return [`"true" for ${source} trusts every client: an open relay`];
  if (prefix !== undefined && prefix < 24 && props.allowBroadRange !== true) {
    return [`"true" for ${source} (/${prefix}) is wider than /24 without allowBroadRange`];
  }
  return [];
}

/** Routes to Exchange Online only over 25 (relay) or 587 (XOAUTH2), and XOAUTH2 only on 587. */
function exoRoutePorts(type, props) {
  if (type !== ROUTE) return [];
  const host = String(props.smartHost ?? "");
  const port = props.port ?? 25;
  if (EXO_RELAY.test(host) && port !== 25)
    return [`the SMTP relay route to ${host} must use port 25, not ${port}`];
  if (EXO_SUBMISSION.test(host) && port !== 587)
    return [`the XOAUTH2 route to ${host} must use port 587, not ${port}`];
  if (EXO_SUBMISSION.test(host) && !props.auth)
    return [`a route to ${host} needs XOAUTH2 authentication`];
  return [];
}

module.exports = { relayTrust, exoRoutePorts, TRUST, ROUTE };
