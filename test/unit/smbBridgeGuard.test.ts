import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { smbPython } from "../../provider/transport/smbSession";

// Feeds responses straight to the bridge's check of incoming messages, inside the real
// smbprotocol library: what a server, or someone on the path, could send that the network
// tests cannot produce (a plain response on an encrypted session needs the session key to fake).
const PROBE = String.raw`
import importlib.util, json, sys, types
spec = importlib.util.spec_from_file_location("bridge", sys.argv[1])
bridge = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bridge)
from smbprotocol.connection import Connection
from smbprotocol.header import Commands, NtStatus, SMB2HeaderResponse

def probe(encrypted, command, status):
    conn = Connection.__new__(Connection)
    # What the library leaves on a session it set up: encryption turns required signing off.
    conn.session_table = {7: types.SimpleNamespace(
        signing_required=not encrypted, signing_key=b"k" * 16, encrypt_data=encrypted)}
    header = SMB2HeaderResponse()
    header["command"] = getattr(Commands, command)
    header["status"] = getattr(NtStatus, status)
    header["message_id"] = 9
    try:
        Connection.verify_signature(conn, header, 7)
        return "accepted"
    except bridge.Unsigned as err:
        return "refused: " + str(err)

print(json.dumps([
    probe(True, "SMB2_READ", "STATUS_SUCCESS"),
    probe(False, "SMB2_READ", "STATUS_SUCCESS"),
    probe(False, "SMB2_READ", "STATUS_PENDING"),
    probe(True, "SMB2_SESSION_SETUP", "STATUS_SUCCESS"),
]))
`;

describe("the SMB client's check of unprotected responses", function () {
  it("refuses plain responses on encrypted sessions and unsigned ones where signing is required", function () {
    const bridge = path.resolve(__dirname, "../../provider/transport/smbBridge.py");
    const out = execFileSync(smbPython(), ["-c", PROBE, bridge]).toString();
    assert.deepEqual(JSON.parse(out), [
      "refused: the server sent an unencrypted 8 response on an encrypted session",
      "refused: the server sent an unsigned 8 response on a session that requires signing",
      // Interim answers and the logon exchange are unprotected by design.
      "accepted",
      "accepted",
    ]);
  });
});
