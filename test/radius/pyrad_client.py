#!/usr/bin/env python3
"""A second, independent RADIUS client for the e2e tests: python3-pyrad builds and decodes the
packets. pyrad 2.1 predates Message-Authenticator support, so the HMAC is added (and the
server's one checked) here, per RFC 3579 section 3.2. Prints one JSON object."""
import argparse
import hashlib
import hmac
import json
import os
import socket
import sys
import tempfile

from pyrad import packet
from pyrad.dictionary import Dictionary

DICTIONARY = """
ATTRIBUTE User-Name 1 string
ATTRIBUTE User-Password 2 string
ATTRIBUTE Reply-Message 18 string
ATTRIBUTE State 24 octets
ATTRIBUTE Session-Timeout 27 integer
ATTRIBUTE NAS-Identifier 32 string
ATTRIBUTE Proxy-State 33 octets
ATTRIBUTE Message-Authenticator 80 octets
"""


def find_attribute(raw, wanted):
    offset = 20
    while offset + 2 <= len(raw):
        kind, length = raw[offset], raw[offset + 1]
        if length < 2:
            return -1
        if kind == wanted:
            return offset + 2
        offset += length
    return -1


def sign(raw, secret, authenticator):
    at = find_attribute(raw, 80)
    work = bytearray(raw)
    work[4:20] = authenticator
    work[at:at + 16] = b"\0" * 16
    return at, hmac.new(secret, bytes(work), hashlib.md5).digest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", default="")
    parser.add_argument("--state", default="")
    parser.add_argument("--no-ma", action="store_true")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    secret = args.secret.encode()

    with tempfile.NamedTemporaryFile("w", suffix=".dict", delete=False) as f:
        f.write(DICTIONARY)
    try:
        dictionary = Dictionary(f.name)
    finally:
        os.unlink(f.name)

    req = packet.AuthPacket(code=packet.AccessRequest, secret=secret, dict=dictionary)
    req.authenticator = req.CreateAuthenticator()
    if not args.no_ma:
        req["Message-Authenticator"] = b"\0" * 16
    req["User-Name"] = args.user
    req["User-Password"] = req.PwCrypt(args.password)
    req["NAS-Identifier"] = "pyrad-e2e"
    if args.state:
        req["State"] = bytes.fromhex(args.state)
    raw = bytearray(req.RequestPacket())
    if not args.no_ma:
        at, mac = sign(raw, secret, req.authenticator)
        raw[at:at + 16] = mac

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(args.timeout)
    sock.sendto(bytes(raw), ("127.0.0.1", args.port))
    try:
        data, _ = sock.recvfrom(4096)
    except socket.timeout:
        print(json.dumps({"code": "none"}))
        return 0

    reply = packet.Packet(packet=data, secret=secret, dict=dictionary)
    names = {2: "Access-Accept", 3: "Access-Reject", 11: "Access-Challenge"}
    at = find_attribute(data, 80)
    ma_ok = False
    if at >= 0:
        _, mac = sign(data, secret, req.authenticator)
        ma_ok = hmac.compare_digest(mac, data[at:at + 16])
    result = {
        "code": names.get(reply.code, str(reply.code)),
        "authenticator_ok": req.VerifyReply(reply, data),
        "message_authenticator_ok": ma_ok,
        "message_authenticator_first": data[20] == 80 if len(data) > 20 else False,
        "reply_message": "".join(reply["Reply-Message"]) if "Reply-Message" in reply else "",
        "state": reply["State"][0].hex() if "State" in reply else None,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
