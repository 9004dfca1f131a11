"use strict";
// A CrossGuard policy pack a security team can require of every tenant stack:
//   pulumi preview --policy-pack policy
const { PolicyPack } = require("@pulumi/policy");
const { relayTrust, exoRoutePorts } = require("./rules");

function policy(name, description, rule) {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
      for (const v of rule(args.type, args.props)) reportViolation(v);
    },
  };
}

new PolicyPack("epost-hybrid-mail-relay", {
  policies: [
    policy(
      "epost-no-open-relay",
      "effect.dat must not allow relaying for a whole domain, *@domain or every client, nor for a range wider than /24 unless allowBroadRange is set",
      relayTrust,
    ),
    policy(
      "epost-exo-route-ports",
      "gateway.dat routes to Exchange Online use port 25 (SMTP relay) or 587 with XOAUTH2 (smtp.office365.com)",
      exoRoutePorts,
    ),
  ],
});
