# Writes small images in many modes and, for each, what datasets' Image feature decodes them to
# (PIL + exif_transpose), as JSON lines: name, mode, shape, flat pixel values (or "error").
import io, json, struct, sys, zlib
import numpy as np
import PIL.Image
import datasets

out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
rng = np.random.default_rng(13)
images = {}


def save(name, im, fmt, **kw):
    b = io.BytesIO()
    im.save(b, format=fmt, **kw)
    images[name] = b.getvalue()


def png(width, height, bit_depth, color_type, rows):
    # a PNG written by hand, for sample layouts Pillow does not write (16-bit RGB, 4-bit gray)
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


w, h = 7, 5
rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
rgba = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
gray = rng.integers(0, 256, (h, w), dtype=np.uint8)
save("L.png", PIL.Image.fromarray(gray, "L"), "PNG")
save("LA.png", PIL.Image.fromarray(rgba[:, :, :2].copy(), "LA"), "PNG")
save("RGB.png", PIL.Image.fromarray(rgb, "RGB"), "PNG")
save("RGBA.png", PIL.Image.fromarray(rgba, "RGBA"), "PNG")
pal = PIL.Image.fromarray(rgb, "RGB").quantize(colors=6)
save("P.png", pal, "PNG")
save("P_trns.png", pal, "PNG", transparency=2)
i16 = rng.integers(0, 65536, (h, w), dtype=np.uint16)
save("I16.png", PIL.Image.fromarray(i16), "PNG")
save("1bit.png", PIL.Image.fromarray(gray > 127).convert("1"), "PNG")
rgb16 = rng.integers(0, 65536, (h, w, 3), dtype=np.uint16)
images["RGB16.png"] = png(w, h, 16, 2, [rgb16[y].astype(">u2").tobytes() for y in range(h)])
g4 = rng.integers(0, 16, (h, w), dtype=np.uint8)
images["gray4.png"] = png(w, h, 4, 0, [bytes((g4[y, x] << 4) | (g4[y, x + 1] if x + 1 < w else 0) for x in range(0, w, 2)) for y in range(h)])
save("P.gif", pal, "GIF")
save("P_trns.gif", pal, "GIF", transparency=3)
save("RGB.bmp", PIL.Image.fromarray(rgb, "RGB"), "BMP")
smooth = np.clip(np.add.outer(np.arange(24) * 9, np.arange(32) * 6)[:, :, None] + np.array([0, 40, 80]), 0, 255).astype(np.uint8)
save("RGB.jpg", PIL.Image.fromarray(smooth, "RGB"), "JPEG", quality=95)
save("L.jpg", PIL.Image.fromarray(smooth[:, :, 0].copy(), "L"), "JPEG", quality=95)
noise = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
save("noise.jpg", PIL.Image.fromarray(noise, "RGB"), "JPEG", quality=75)
save("noise444.jpg", PIL.Image.fromarray(noise, "RGB"), "JPEG", quality=90, subsampling=0)
for o in (3, 6, 8):
    exif = PIL.Image.Exif()
    exif[0x0112] = o
    save(f"RGB_exif{o}.jpg", PIL.Image.fromarray(smooth, "RGB"), "JPEG", quality=95, exif=exif)
exif = PIL.Image.Exif()
exif[0x0112] = 6
save("RGB_exif6.png", PIL.Image.fromarray(rgb, "RGB"), "PNG", exif=exif)
save("CMYK.jpg", PIL.Image.fromarray(smooth, "RGB").convert("CMYK"), "JPEG")

feature = datasets.Image()
with open(f"{out_dir}/expected.jsonl", "w") as f:
    for name, data in images.items():
        open(f"{out_dir}/{name}", "wb").write(data)
        try:
            im = feature.decode_example({"bytes": data, "path": None})
            if im.mode == "P":
                im = im.convert("RGBA" if "transparency" in im.info else "RGB")
            mode = im.mode
            a = np.array(im)
            if mode == "1":
                a = a.astype(np.uint8) * 255
                mode = "L"
            if a.ndim == 2:
                a = a[:, :, None]
            f.write(json.dumps({"name": name, "mode": mode, "shape": list(a.shape), "data": a.reshape(-1).astype(int).tolist()}) + "\n")
        except Exception as e:
            f.write(json.dumps({"name": name, "error": f"{type(e).__name__}: {e}"}) + "\n")
# Image(mode=...) conversions: np.array(image.convert(mode)) for each pair of L, LA, RGB, RGBA
with open(f"{out_dir}/converted.jsonl", "w") as f:
    for name in ("L.png", "LA.png", "RGB.png", "RGBA.png", "P.png"):
        for mode in ("L", "LA", "RGB", "RGBA"):
            im = datasets.Image(mode=mode).decode_example({"bytes": images[name], "path": None})
            a = np.array(im)
            if a.ndim == 2:
                a = a[:, :, None]
            f.write(json.dumps({"name": name, "mode": mode, "data": a.reshape(-1).astype(int).tolist()}) + "\n")
print("ok", len(images))
