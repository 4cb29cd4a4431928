"""An independent safetensors reader for the round-trip test: Python's json and struct only.

Prints one line per tensor: name, dtype, shape, the sum of its values (math.fsum) and its first three
values, from the raw header and buffer, per the format's specification (8-byte little-endian header
length, JSON header, data_offsets relative to the buffer after the header).
"""
import json
import math
import struct
import sys

SIZES = {"F32": 4, "F16": 2, "F64": 8}
FORMATS = {"F32": "f", "F16": "e", "F64": "d"}

with open(sys.argv[1], "rb") as f:
    data = f.read()
(n,) = struct.unpack("<Q", data[:8])
header = json.loads(data[8:8 + n])
buffer = data[8 + n:]
for name, entry in header.items():
    if name == "__metadata__":
        continue
    dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
    count = math.prod(shape)
    assert end - begin == count * SIZES[dtype], name
    values = struct.unpack("<%d%s" % (count, FORMATS[dtype]), buffer[begin:end])
    first = " ".join(repr(v) for v in values[:3])
    print("%s\t%s\t%s\t%r\t%s" % (name, dtype, ",".join(map(str, shape)), math.fsum(values), first))
