"""File operations on one SMB share, for the Node.js provider, through smbprotocol.

The provider starts one of these per host and account and talks to it over stdin and stdout,
one JSON object per line. The first request opens the session; its password arrives on stdin,
never on the command line or in the environment, where other users of the machine could read
it. Every reply carries the request's id and either a result or an error with a short code
the provider maps to its own messages.
"""

import base64
import errno
import json
import sys

try:
    import smbclient
    from smbprotocol.connection import Connection
    from smbprotocol.exceptions import (
        SMBAuthenticationError,
        SMBConnectionClosed,
        SMBException,
        SMBOSError,
    )
    from smbprotocol.header import Commands, NtStatus, Smb2Flags
except ImportError as missing:  # reported to the provider as an ordinary reply
    smbclient = None
    IMPORT_ERROR = str(missing)
    SMBConnectionClosed = ConnectionError

STATE = {}
UNSOLICITED = 0xFFFFFFFFFFFFFFFF


class Unsigned(Exception):
    pass


def refuse_unsigned(verify):
    """Wraps the library's check of a response's signature.

    smbprotocol verifies a signature only when the response says it is signed, so a response
    with the flag cleared (a server that does not sign, or someone on the path who strips the
    signature) would be taken as it is. When the session requires signing, such a response is
    refused here instead, as MS-SMB2 3.2.5.1.3 asks. Interim responses, oplock breaks and the
    session setup exchange are unsigned by design and pass.
    """

    def checked(self, header, session_id, force=False):
        session = self.session_table.get(session_id, None)
        exempt = (
            session is None
            or header["message_id"].get_value() == UNSOLICITED
            or header["status"].get_value() == NtStatus.STATUS_PENDING
            or header["command"].get_value() == Commands.SMB2_SESSION_SETUP
        )
        # The library calls this only for responses that came without encryption. On an
        # encrypted session it also stops requiring signatures, so a plain response there is
        # refused outright (MS-SMB2 3.2.5.1.1: discard it).
        if not exempt and session.encrypt_data:
            raise Unsigned(
                "the server sent an unencrypted %s response on an encrypted session"
                % header["command"].get_value()
            )
        if (
            not exempt
            and not header["flags"].has_flag(Smb2Flags.SMB2_FLAGS_SIGNED)
            and session.signing_required
            and session.signing_key
        ):
            raise Unsigned(
                "the server sent an unsigned %s response on a session that requires signing"
                % header["command"].get_value()
            )
        return verify(self, header, session_id, force)

    return checked


if smbclient is not None:
    Connection.verify_signature = refuse_unsigned(Connection.verify_signature)

def unc(path):
    rel = path.replace("/", "\\").strip("\\")
    root = "\\\\%s\\%s" % (STATE["server"], STATE["share"])
    return root if rel == "" else root + "\\" + rel


def kw():
    # Every call carries the whole login: when the library finds its connection dead it logs on
    # again with what the call gives it, and without these it would try an anonymous or
    # Kerberos logon, unsigned and unencrypted, instead of the account the stack names.
    return STATE["login"]


def op_open(req):
    if smbclient is None:
        raise Failure("NO_LIBRARY", "the Python package smbprotocol is missing: " + IMPORT_ERROR)
    username = req["username"]
    if req.get("domain"):
        username = req["domain"] + "\\" + username
    login = {
        "username": username,
        "password": req["password"],
        "port": req["port"],
        "encrypt": bool(req.get("encrypt")),
        "require_signing": bool(req.get("requireSigning", True)),
        "auth_protocol": "ntlm",
        "connection_timeout": int(req.get("timeoutSeconds", 20)),
    }
    STATE.update(server=req["server"], share=req["share"], password=req["password"], login=login)
    smbclient.ClientConfig(require_secure_negotiate=True)
    smbclient.register_session(req["server"], **login)
    # Touch the share so a wrong share name fails here, not at the first file.
    smbclient.listdir(unc(""), **kw())
    return {}


def op_read(req):
    try:
        # Others may write, rename over or delete the file while it is read (a lock's holder
        # removes it, a writer renames over the original): Windows refuses them otherwise.
        with smbclient.open_file(unc(req["path"]), mode="rb", share_access="rwd", **kw()) as f:
            return {"data": base64.b64encode(f.read()).decode("ascii")}
    except SMBOSError as err:
        if err.errno == errno.ENOENT:
            return {"missing": True}
        raise


def op_stat(req):
    try:
        st = smbclient.stat(unc(req["path"]), **kw())
    except SMBOSError as err:
        if err.errno == errno.ENOENT:
            return {"missing": True}
        raise
    return {"mtimeMs": int(st.st_mtime * 1000), "size": st.st_size}


def write(path, data, mode):
    # Shared for reading and deletion: a waiter reads a lock file while its holder writes it.
    with smbclient.open_file(unc(path), mode=mode, share_access="rwd", **kw()) as f:
        f.write(data)
        f.flush()


def op_create_exclusive(req):
    try:
        write(req["path"], base64.b64decode(req["data"]), "xb")
    except SMBOSError as err:
        if err.errno == errno.EEXIST:
            return {"created": False}
        raise
    return {"created": True}


def op_write(req):
    write(req["path"], base64.b64decode(req["data"]), "wb")
    return {}


def op_replace(req):
    smbclient.replace(unc(req["from"]), unc(req["to"]), **kw())
    return {}


def op_remove(req):
    try:
        smbclient.remove(unc(req["path"]), **kw())
    except SMBOSError as err:
        if err.errno != errno.ENOENT:
            raise
    return {}


def op_ensure_dir(req):
    try:
        smbclient.makedirs(unc(req["path"]), exist_ok=True, **kw())
    except SMBOSError as err:
        if err.errno != errno.EEXIST:
            raise
    return {}


def op_list(req):
    try:
        return {"names": smbclient.listdir(unc(req["path"]), **kw())}
    except SMBOSError as err:
        if err.errno == errno.ENOENT:
            return {"names": []}
        raise


OPS = {
    "open": op_open,
    "read": op_read,
    "stat": op_stat,
    "createExclusive": op_create_exclusive,
    "write": op_write,
    "replace": op_replace,
    "remove": op_remove,
    "ensureDir": op_ensure_dir,
    "list": op_list,
}


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def classify(err):
    if isinstance(err, Failure):
        return err.code, str(err)
    if isinstance(err, Unsigned) or "signature" in str(err).lower():
        return "SIGNING", str(err)
    if isinstance(err, SMBAuthenticationError):
        return "AUTH", str(err)
    text = str(err)
    if isinstance(err, SMBOSError):
        if err.errno == errno.EACCES:
            return "ACCESS", text
        return "OS", text
    if isinstance(err, (ConnectionError, OSError, ValueError)) and "connect" in text.lower():
        return "CONNECT", text
    return "OTHER", "%s: %s" % (type(err).__name__, text)


# How a TCP connection that died under the pooled session shows: a send into a reset socket, or
# the library's receiver having seen the end of the stream.
CONNECTION_LOST = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, SMBConnectionClosed)


def call(op, req):
    try:
        return OPS[op](req)
    except CONNECTION_LOST:
        if op == "open":
            raise
    # Log on again, as the same account with the same protections, and repeat the request once.
    # Repeating is safe for every operation here: a lock whose first creation did reach the
    # server is recognised by its token, and a rename that did is found done by the next edit.
    smbclient.reset_connection_cache(fail_on_error=False)
    smbclient.register_session(STATE["server"], **STATE["login"])
    return OPS[op](req)


def main():
    out = sys.stdout
    # Requests are UTF-8 whatever the locale or PYTHONIOENCODING say; replies are ASCII JSON.
    for raw in sys.stdin.buffer:
        req = json.loads(raw.decode("utf-8"))
        reply = {"id": req.get("id")}
        try:
            reply["result"] = call(req["op"], req)
        except Exception as err:  # every failure goes back to the provider
            code, message = classify(err)
            # The password must never travel back, whatever the library put in its message.
            secret = req.get("password") or STATE.get("password")
            if secret:
                message = message.replace(secret, "***")
            reply["error"] = {"code": code, "message": message}
        out.write(json.dumps(reply) + "\n")
        out.flush()
    if smbclient is not None and "server" in STATE:
        try:
            smbclient.reset_connection_cache()
        except Exception:
            pass


if __name__ == "__main__":
    main()
