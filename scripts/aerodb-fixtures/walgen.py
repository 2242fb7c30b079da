#!/usr/bin/env python3
"""Writes the WAL fixtures of tests/AeroSnapshot.Fast.Tests/Fixtures/AeroDB/wal/: valid WALs in
AeroDB's record format and each way of breaking one. It judges nothing: wal.sh runs AeroDB's own
reader (refharness wal-read) on every file and records its verdict beside them.

record = length u32 LE (whole record) | type u8 | sequence u64 LE | payload | CRC-32 LE of all before it
payload = collection, document id, schema id, schema version (UTF-8), body: each u32 LE length + bytes

usage: walgen.py <out-dir>     (deterministic: the same files every run)
"""
import os
import random
import struct
import sys
import zlib

R = random.Random(24)
ALPHABET = ['a', 'b', 'z', '0', '9', '-', '_', ':', 'é', 'ß', 'Ω', '日', '本', '€', '😀', '\u0301']
BAD_UTF8 = {
    'ff': b'\xff', 'lone-continuation': b'\x80', 'overlong-slash': b'\xc0\xaf', 'overlong-nul': b'\xe0\x80\x80',
    'surrogate': b'\xed\xa0\x80', 'above-10ffff': b'\xf4\x90\x80\x80', 'unfinished-3': b'\xe2\x82',
    'unfinished-4': b'\xf0\x9f\x98', 'f5-lead': b'\xf5\x80\x80\x80',
}


def lp(b):
    return struct.pack('<I', len(b)) + b


def text(max_chars=8):
    return ''.join(R.choice(ALPHABET) for _ in range(R.randint(0, max_chars))).encode('utf-8')


def payload(strings=None, body=None, extra=b''):
    strings = strings if strings is not None else [text() for _ in range(4)]
    body = body if body is not None else bytes(R.getrandbits(8) for _ in range(R.randint(0, 48)))
    return b''.join(lp(s) for s in strings) + lp(body) + extra


def frame(rtype, seq, pl, length=None):
    """A record; a given length replaces the true one (the checksum is still right for the bytes written)."""
    n = 17 + len(pl) if length is None else length
    head = struct.pack('<IBQ', n & 0xffffffff, rtype, seq & 0xffffffffffffffff) + pl
    return head + struct.pack('<I', zlib.crc32(head) & 0xffffffff)


def records(count, first=1):
    return [(R.randint(0, 5), first + i, payload(extra=b'' if R.random() < 0.8 else bytes(R.randint(1, 6))))
            for i in range(count)]


def wal(recs):
    return b''.join(frame(t, s, p) for t, s, p in recs)


def offsets(recs):
    out, at = [], 0
    for t, s, p in recs:
        out.append(at)
        at += 17 + len(p)
    return out


def main(out):
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):
        if name.endswith('.wal') and not name.startswith('ref-'):
            os.remove(os.path.join(out, name))
    cases = []

    def add(label, data):
        cases.append((f'{len(cases):03d}-{label}.wal', data))

    # Valid.
    add('valid-empty', b'')
    for i in range(10):
        add(f'valid-random-{i}', wal(records(R.randint(1, 6))))
    add('valid-shortest-record', frame(0, 1, b'\0' * 20))
    add('valid-trailing-bytes-after-the-fields', wal([(0, 1, payload(extra=b'trailing')), (1, 2, payload(extra=b'\xff'))]))
    add('valid-body-not-utf8', frame(2, 1, payload(body=b'\xff\xfe\xc0\x80\xed\xa0\x80')))
    add('valid-types-3-4-5-with-five-fields', wal([(3, 1, payload()), (4, 2, payload()), (5, 3, payload())]))
    add('valid-multibyte-strings', frame(0, 1, payload(strings=['ünïcødé'.encode(), '日本語-文書'.encode(), '😀'.encode(), 'v\u0301'.encode()])))
    add('valid-empty-strings-and-body', frame(1, 1, payload(strings=[b'', b'', b'', b''], body=b'')))

    # The file ends inside a record, or fewer than 37 bytes are left.
    for i in range(6):
        recs = records(R.randint(1, 4))
        data = wal(recs)
        starts = set(offsets(recs))
        cut = R.choice([c for c in range(1, len(data)) if c not in starts])
        add(f'torn-cut-{i}', data[:cut])
    for extra in (1, 4, 13, 20, 36):
        add(f'torn-{extra}-bytes-after-the-last-record', wal(records(2)) + bytes(R.getrandbits(8) for _ in range(extra)))
    add('torn-36-byte-record-at-the-end', wal(records(1)) + frame(0, 2, b'\0' * 19))
    add('torn-mvcc-commit-record-alone', frame(3, 1, struct.pack('<Q', 42)))

    # A length below 37, or past the end.
    for length in (0, 16, 17, 36):
        add(f'length-{length}-then-more-records', wal(records(1)) + frame(0, 2, b'\0' * 19, length=length) + wal(records(2, first=3)))
    add('mvcc-commit-record-then-more', frame(3, 1, struct.pack('<Q', 42)) + wal(records(2, first=2)))
    recs = records(3)
    data = bytearray(wal(recs))
    struct.pack_into('<I', data, offsets(recs)[2], len(data) - offsets(recs)[2] + 1)
    add('length-one-past-the-end', bytes(data))
    data = bytearray(wal(recs))
    struct.pack_into('<I', data, offsets(recs)[1], 0xffffffff)
    add('length-ffffffff', bytes(data))

    # A flipped bit anywhere.
    for i in range(10):
        recs = records(R.randint(1, 4))
        data = bytearray(wal(recs))
        data[R.randrange(len(data))] ^= 1 << R.randrange(8)
        add(f'flipped-bit-{i}', bytes(data))

    # A checksummed record of an unknown type.
    for rtype in (6, 7, 128, 255):
        add(f'type-{rtype}', wal(records(1)) + frame(rtype, 2, payload()))
    add('type-6-first', frame(6, 1, payload()))

    # Sequence numbers: the first is 1, each next one the previous + 1.
    for first in (0, 2, 7, 2**64 - 1):
        add(f'first-sequence-{first}', wal(records(2, first=first)))
    add('sequence-gap', wal(records(2) + records(1, first=4)))
    add('sequence-repeat', wal(records(2) + records(1, first=2)))
    add('sequence-back', wal(records(3) + records(1, first=1)))
    add('sequence-wraps', wal([(0, 1, payload()), (0, 0, payload())]))

    # The payload is not five length-prefixed fields.
    strings = [b'users-collection', b'document-0001', b'user', b'v1']
    full = payload(strings=strings, body=b'0123456789')
    starts, at = [], 0
    for f in range(5):
        starts.append(at)
        at += 4 + struct.unpack_from('<I', full, at)[0]
    for f in range(2, 5):  # earlier cuts leave fewer than 20 payload bytes: then the length is the problem
        for into in range(4):
            add(f'payload-ends-in-field-{f}-prefix-byte-{into}', wal(records(1)) + frame(0, 2, full[:starts[f] + into]))
    for f in range(5):
        bad = bytearray(full)
        struct.pack_into('<I', bad, starts[f], len(full) - starts[f] - 4 + 1)
        add(f'payload-field-{f}-one-past-the-end', wal(records(1)) + frame(1, 2, bytes(bad)))
        struct.pack_into('<I', bad, starts[f], 0xffffffff)
        add(f'payload-field-{f}-length-ffffffff', frame(1, 1, bytes(bad)))
    bad = bytearray(full)
    struct.pack_into('<I', bad, starts[0], 0x80000000)
    struct.pack_into('<I', bad, starts[1], 0x80000000)
    add('payload-lengths-overflow-u32', frame(0, 1, bytes(bad)))
    add('payload-mvcc-version-layout', frame(4, 1, struct.pack('<Q', 9) + lp(b'users:1') + b'\0' + lp(b'document')))

    # A string field that is not UTF-8 (the checksum is right).
    for f in range(4):
        for label, seq in BAD_UTF8.items():
            s = [text(3) for _ in range(4)]
            s[f] = text(2) + seq + (b'x' if f % 2 == 0 else b'')
            add(f'utf8-field-{f}-{label}', wal(records(1)) + frame(R.randint(0, 5), 2, payload(strings=s)))

    for name, data in cases:
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
    print(f'wrote {len(cases)} WAL files to {out}')


if __name__ == '__main__':
    main(sys.argv[1])
