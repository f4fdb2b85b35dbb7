"""littlefs-python as the tests' LittleFS peer: build an image from a folder, or list
an image's files the way each Arduino core's littlefs configuration mounts it.

  lfs.py make  SIZE BLOCK DIR OUT       (name_max 32, disk version 2.0: mounts on both cores)
  lfs.py list  IMAGE BLOCK CORE         (CORE: esp32 | esp8266) -> JSON {path: sha256}
"""
import hashlib
import json
import os
import sys

import littlefs

# What each core passes to lfs_mount (esp_littlefs Kconfig defaults; the ESP8266 core's
# littlefs_api / LittleFS.h). The disk version is what the core's littlefs understands.
CORES = {
    "esp32": dict(read_size=128, prog_size=128, cache_size=512, lookahead_size=128,
                  block_cycles=512, name_max=64),
    "esp8266": dict(read_size=64, prog_size=64, cache_size=64, lookahead_size=64,
                    block_cycles=16, name_max=32, disk_version=0x00020000),
}


def make(size, block, src, out):
    fs = littlefs.LittleFS(block_size=block, block_count=size // block, name_max=32,
                           disk_version=0x00020000, prog_size=256, read_size=256)
    for root, _dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        if rel != ".":
            fs.makedirs("/" + rel, exist_ok=True)
        for name in sorted(files):
            path = "/" + os.path.normpath(os.path.join(rel, name)).lstrip("./")
            with open(os.path.join(root, name), "rb") as f, fs.open(path, "wb") as g:
                g.write(f.read())
    with open(out, "wb") as f:
        f.write(fs.context.buffer)


def listing(image, block, core):
    data = open(image, "rb").read()
    fs = littlefs.LittleFS(block_size=block, block_count=len(data) // block, mount=False,
                           **CORES[core])
    fs.context.buffer = bytearray(data)
    fs.mount()
    out = {}
    for root, _dirs, files in fs.walk("/"):
        for name in files:
            path = root.rstrip("/") + "/" + name
            with fs.open(path, "rb") as f:
                out[path] = hashlib.sha256(f.read()).hexdigest()
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(int(sys.argv[2], 0), int(sys.argv[3], 0), sys.argv[4], sys.argv[5])
    elif cmd == "list":
        listing(sys.argv[2], int(sys.argv[3], 0), sys.argv[4])
    else:
        sys.exit(f"unknown command {cmd}")
