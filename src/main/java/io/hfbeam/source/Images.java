package io.hfbeam.source;

import io.hfbeam.hf.BeamMapping;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Decodes an Image value ({@code {bytes, path}}) with the JDK's ImageIO (JPEG, PNG, GIF, BMP, TIFF,
 * WBMP) into {@code {width, height, mode, pixels, pixels16}}, holding the numbers Pillow gives for
 * {@code np.array(image)} after {@code datasets}' own decoding (which applies the EXIF
 * orientation).
 *
 * <ul>
 *   <li>{@code pixels} is always (height, width, channels) uint8: mode L has one channel (PIL's
 *       array is 2-D there; the numbers are the same), LA two, RGB three, RGBA four.
 *   <li>Palette images (PIL mode P: PNG palette, GIF) are converted to RGB, or RGBA when the
 *       palette has transparency, as most users do with {@code convert()}; the indices are not
 *       kept. 1-, 2- and 4-bit grayscale PNGs are L scaled to 0..255 (PIL gives mode "1" as
 *       booleans for 1-bit: here 0 and 255).
 *   <li>16-bit grayscale PNG is mode "I;16": its values go to {@code pixels16} (uint16, channels 1)
 *       and {@code pixels} is null. 16-bit RGB, RGBA and LA keep the high byte of each sample, as
 *       Pillow does.
 *   <li>CMYK JPEG (as Pillow writes it, with the Adobe marker) is mode "CMYK", four channels, the
 *       values Pillow gives.
 *   <li>Only the first frame of a GIF or TIFF is read, as {@code PIL.Image.open} does.
 *   <li>EXIF orientation (a JPEG's APP1, a PNG's eXIf chunk before the image data) is applied like
 *       {@code PIL.ImageOps.exif_transpose}; other formats' EXIF is not read.
 * </ul>
 *
 * Refused, each with a one-line {@link BrokenImage}: bytes ImageIO cannot read, truncated or
 * corrupt data (any decoder warning counts: the JPEG decoder fills a truncated image with gray and
 * only warns), color models other than the above (YCCK JPEG, for one), a zero-size image, and an
 * image of more than {@link #MAX_IMAGE_PIXELS} pixels, checked from the header before any pixel is
 * allocated.
 */
public final class Images {
  /**
   * Pillow's {@code Image.MAX_IMAGE_PIXELS} (89,478,485: a 128 MB, 3-byte-per-pixel image). Pillow
   * warns above it and refuses above twice it; hf-beam refuses above it, since a worker holds the
   * pixels as Beam values.
   */
  public static final long MAX_IMAGE_PIXELS = 89_478_485L;

  /** An image that cannot be decoded; the message is one line saying why. */
  public static final class BrokenImage extends RuntimeException {
    BrokenImage(String message) {
      super(message);
    }
  }

  /** Reads the file an Image value names by {@code path} when it holds no bytes. */
  @FunctionalInterface
  public interface PathReader {
    byte[] read(String path) throws IOException;
  }

  private static final Short[] UINT8 = new Short[256];

  static {
    for (int i = 0; i < 256; i++) UINT8[i] = (short) i;
  }

  private static final Struct DECODED;
  private static final Schema SCHEMA;

  static {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("width", new Value("int32"));
    f.put("height", new Value("int32"));
    f.put("mode", new Value("string"));
    f.put("pixels", new Sequence(new Sequence(new Sequence(new Value("uint8")))));
    f.put("pixels16", new Sequence(new Sequence(new Sequence(new Value("uint16")))));
    DECODED = new Struct(f);
    SCHEMA = BeamMapping.fieldType(DECODED).getRowSchema();
  }

  private Images() {}

  /**
   * The feature of a decoded image: a struct of width, height, mode (int32, int32, string), pixels
   * (list of list of list of uint8: height, width, channels) and pixels16 (the same in uint16, only
   * for mode I;16). Nested lists rather than Array3D because {@code datasets} lets only the first
   * ArrayND dimension vary, and images differ in width and channels.
   */
  public static Struct decodedFeature() {
    return DECODED;
  }

  /** The Beam schema of {@link #decode}'s rows. */
  public static Schema decodedSchema() {
    return SCHEMA;
  }

  /**
   * Decodes an Image value that holds its bytes; a path-only value needs {@link #decode(Row,
   * PathReader)}.
   */
  public static Row decode(Row imageValue) {
    return decode(
        imageValue,
        path -> {
          throw new BrokenImage("the image has no bytes, only the path '" + path + "'");
        });
  }

  /** Decodes an Image value, reading {@code path} through {@code reader} when bytes are null. */
  public static Row decode(Row imageValue, PathReader reader) {
    if (imageValue == null) throw new BrokenImage("the image value is null");
    byte[] bytes = imageValue.getBytes("bytes");
    String path = imageValue.getString("path");
    if (bytes == null) {
      if (path == null) throw new BrokenImage("the image has neither bytes nor path");
      try {
        bytes = reader.read(path);
      } catch (IOException e) {
        throw new BrokenImage("cannot read image '" + path + "': " + oneLine(e));
      }
    }
    return decode(bytes);
  }

  /**
   * Decodes an Image value as the feature says: {@link Feature.Image#mode()} (when set) converts
   * the pixels as Pillow's {@code convert} does (see {@link #decode(byte[], String)}).
   */
  public static Row decode(Row imageValue, PathReader reader, Feature.Image feature) {
    if (!feature.decode()) throw new BrokenImage("the Image feature says decode=False");
    return withMode(decode(imageValue, reader), feature.mode());
  }

  /** Decodes the bytes of an image file. */
  public static Row decode(byte[] bytes) {
    return decode(bytes, null);
  }

  /**
   * Decodes the bytes of an image file, converted to {@code mode} unless it is null or the image's
   * own: L, LA, RGB and RGBA convert among each other as Pillow does (luma L = (19595 R + 38470 G +
   * 7471 B + 32768) >> 16, alpha 255 where none was, alpha dropped where none is wanted); any other
   * conversion fails rather than guessing Pillow's.
   */
  public static Row decode(byte[] bytes, String mode) {
    return withMode(decodeOwn(bytes), mode);
  }

  private static Row withMode(Row decoded, String mode) {
    if (mode == null || mode.equals(decoded.getString("mode"))) return decoded;
    String from = decoded.getString("mode");
    int w = decoded.getInt32("width");
    int h = decoded.getInt32("height");
    List<String> modes = List.of("L", "LA", "RGB", "RGBA");
    if (!modes.contains(from) || !modes.contains(mode)) {
      throw new BrokenImage(
          "cannot convert a " + from + " image to " + mode + "; conversions: among " + modes);
    }
    int cin = from.length();
    int cout = mode.length();
    boolean grayIn = from.startsWith("L");
    boolean grayOut = mode.startsWith("L");
    boolean alphaIn = from.endsWith("A");
    boolean alphaOut = mode.endsWith("A");
    int[] in = new int[w * h * cin];
    int i = 0;
    for (Object row : decoded.getArray("pixels")) {
      for (Object px : (List<?>) row) {
        for (Object v : (List<?>) px) in[i++] = ((Number) v).intValue();
      }
    }
    int[] out = new int[w * h * cout];
    for (int p = 0; p < w * h; p++) {
      int a = alphaIn ? in[p * cin + cin - 1] : 255;
      int r = in[p * cin];
      int g = grayIn ? r : in[p * cin + 1];
      int b = grayIn ? r : in[p * cin + 2];
      if (grayOut) {
        out[p * cout] = grayIn ? r : (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
      } else {
        out[p * cout] = r;
        out[p * cout + 1] = g;
        out[p * cout + 2] = b;
      }
      if (alphaOut) out[p * cout + cout - 1] = a;
    }
    Decoded d = new Decoded(w, h, cout, mode, out);
    return Row.withSchema(SCHEMA).addValues(w, h, mode, d.nested(false), null).build();
  }

  private static Row decodeOwn(byte[] bytes) {
    Decoded d = pixels(bytes);
    boolean jpeg = (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8;
    boolean png = (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P';
    int orientation = jpeg ? Exif.jpegOrientation(bytes) : png ? Exif.pngOrientation(bytes) : 1;
    if (orientation > 1) d = d.oriented(orientation);
    boolean wide = d.mode.equals("I;16");
    List<Object> nested = d.nested(wide);
    return Row.withSchema(SCHEMA)
        .addValues(d.width, d.height, d.mode, wide ? null : nested, wide ? nested : null)
        .build();
  }

  /** Pixels in (height, width, channels) order, row-major. */
  private record Decoded(int width, int height, int channels, String mode, int[] samples) {
    /** The image as EXIF orientation {@code o} (2..8) says to show it, as PIL's exif_transpose. */
    Decoded oriented(int o) {
      boolean swap = o >= 5;
      int w2 = swap ? height : width;
      int h2 = swap ? width : height;
      int[] out = new int[samples.length];
      for (int y = 0; y < h2; y++) {
        for (int x = 0; x < w2; x++) {
          int sx;
          int sy;
          switch (o) {
            case 2 -> {
              sx = width - 1 - x;
              sy = y;
            }
            case 3 -> {
              sx = width - 1 - x;
              sy = height - 1 - y;
            }
            case 4 -> {
              sx = x;
              sy = height - 1 - y;
            }
            case 5 -> {
              sx = y;
              sy = x;
            }
            case 6 -> {
              sx = y;
              sy = height - 1 - x;
            }
            case 7 -> {
              sx = width - 1 - y;
              sy = height - 1 - x;
            }
            default -> {
              sx = width - 1 - y;
              sy = x;
            }
          }
          System.arraycopy(
              samples, (sy * width + sx) * channels, out, (y * w2 + x) * channels, channels);
        }
      }
      return new Decoded(w2, h2, channels, mode, out);
    }

    List<Object> nested(boolean wide) {
      List<Object> rows = new ArrayList<>(height);
      int i = 0;
      for (int y = 0; y < height; y++) {
        List<Object> row = new ArrayList<>(width);
        for (int x = 0; x < width; x++) {
          Object[] px = new Object[channels];
          for (int c = 0; c < channels; c++, i++) {
            px[c] = wide ? (Object) samples[i] : UINT8[samples[i]];
          }
          row.add(Arrays.asList(px));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private static Decoded pixels(byte[] bytes) {
    if (bytes.length == 0) throw new BrokenImage("the image is empty (0 bytes)");
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new BrokenImage(
            "not an image format ImageIO reads (JPEG, PNG, GIF, BMP, TIFF, WBMP); starts with "
                + hex(bytes));
      }
      ImageReader reader = readers.next();
      String format = reader.getFormatName().toUpperCase(Locale.ROOT);
      try {
        reader.setInput(in, true, true);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener(
            (IIOReadWarningListener) (source, warning) -> warnings.add(warning));
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw new BrokenImage(format + " image has size " + width + "x" + height);
        }
        if ((long) width * height > MAX_IMAGE_PIXELS) {
          throw new BrokenImage(
              format
                  + " image of "
                  + width
                  + "x"
                  + height
                  + " = "
                  + (long) width * height
                  + " pixels exceeds the limit of "
                  + MAX_IMAGE_PIXELS
                  + " (Pillow's MAX_IMAGE_PIXELS; a decompression bomb?)");
        }
        BufferedImage img = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new BrokenImage(format + " image is corrupt: " + warnings.get(0));
        }
        return samples(img, format);
      } finally {
        reader.dispose();
      }
    } catch (BrokenImage e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new BrokenImage("cannot decode image: " + oneLine(e));
    }
  }

  private static Decoded samples(BufferedImage img, String format) {
    int w = img.getWidth();
    int h = img.getHeight();
    ColorModel cm = img.getColorModel();
    Raster raster = img.getRaster();
    if (cm instanceof IndexColorModel icm) return palette(img, icm, format);
    int space = cm.getColorSpace().getType();
    int bands = raster.getNumBands();
    boolean alpha = cm.hasAlpha();
    String mode;
    if (space == java.awt.color.ColorSpace.TYPE_GRAY && bands == (alpha ? 2 : 1)) {
      mode = alpha ? "LA" : "L";
    } else if (space == java.awt.color.ColorSpace.TYPE_RGB && bands == (alpha ? 4 : 3)) {
      mode = alpha ? "RGBA" : "RGB";
    } else if (space == java.awt.color.ColorSpace.TYPE_CMYK && bands == 4 && !alpha) {
      mode = "CMYK";
    } else {
      throw new BrokenImage(
          format + " image has an unsupported color model (" + bands + " bands, " + cm + ")");
    }
    int bits = cm.getComponentSize(0);
    for (int b = 1; b < bands; b++) {
      if (cm.getComponentSize(b) != bits) bits = -1;
    }
    int[] out = new int[w * h * bands];
    if (bits == 8 || bits == 16) {
      if (cm.isAlphaPremultiplied()) {
        throw new BrokenImage(
            format + " image has premultiplied alpha, which Pillow does not give");
      }
      raster.getPixels(0, 0, w, h, out);
      if (bits == 16) {
        if (mode.equals("L")) {
          mode = "I;16";
        } else {
          // Pillow reads 16-bit RGB(A)/LA as 8-bit, keeping the high byte of each sample
          for (int i = 0; i < out.length; i++) out[i] >>>= 8;
        }
      }
    } else if (raster.getTransferType() == DataBuffer.TYPE_INT || bits < 8) {
      // packed pixels such as 16-bit 565 BMP: the color model scales them to 8 bits
      int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
      int channels = alpha ? 4 : 3;
      if (space != java.awt.color.ColorSpace.TYPE_RGB) {
        throw new BrokenImage(format + " image has an unsupported color model " + cm);
      }
      out = new int[w * h * channels];
      for (int i = 0; i < argb.length; i++) {
        int p = argb[i];
        out[i * channels] = (p >>> 16) & 0xff;
        out[i * channels + 1] = (p >>> 8) & 0xff;
        out[i * channels + 2] = p & 0xff;
        if (alpha) out[i * channels + 3] = p >>> 24;
      }
      return new Decoded(w, h, channels, mode, out);
    } else {
      throw new BrokenImage(
          format + " image has " + bits + "-bit samples, which are not supported");
    }
    return new Decoded(w, h, bands, mode, out);
  }

  /**
   * A palette image: RGB or RGBA through the palette, except a grayscale PNG of 1, 2 or 4 bits
   * (ImageIO gives those as a gray ramp palette), which is L.
   */
  private static Decoded palette(BufferedImage img, IndexColorModel icm, String format) {
    int w = img.getWidth();
    int h = img.getHeight();
    int size = icm.getMapSize();
    int bits = icm.getPixelSize();
    boolean grayRamp = bits < 8 && size == 1 << bits && !icm.hasAlpha();
    for (int i = 0; grayRamp && i < size; i++) {
      int v = i * 255 / (size - 1);
      grayRamp = icm.getRed(i) == v && icm.getGreen(i) == v && icm.getBlue(i) == v;
    }
    int[] idx = img.getRaster().getPixels(0, 0, w, h, (int[]) null);
    if (grayRamp) {
      for (int i = 0; i < idx.length; i++) idx[i] = icm.getRed(idx[i]);
      return new Decoded(w, h, 1, "L", idx);
    }
    boolean alpha = icm.hasAlpha();
    int channels = alpha ? 4 : 3;
    int[] out = new int[w * h * channels];
    for (int i = 0; i < idx.length; i++) {
      int p = idx[i];
      if (p >= size)
        throw new BrokenImage(format + " image uses palette index " + p + " of " + size);
      out[i * channels] = icm.getRed(p);
      out[i * channels + 1] = icm.getGreen(p);
      out[i * channels + 2] = icm.getBlue(p);
      if (alpha) out[i * channels + 3] = icm.getAlpha(p);
    }
    return new Decoded(w, h, channels, alpha ? "RGBA" : "RGB", out);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(8, b.length); i++) s.append(String.format("%02x", b[i] & 0xff));
    return s.length() == 0 ? "(nothing)" : s.toString();
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    String text = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    return text.replaceAll("\\s+", " ").trim();
  }

  /** The EXIF orientation tag (0x0112) of a JPEG's APP1 segment; 1 when absent or unreadable. */
  static final class Exif {
    private Exif() {}

    static int jpegOrientation(byte[] b) {
      int i = 2;
      while (i + 4 <= b.length && (b[i] & 0xff) == 0xFF) {
        int marker = b[i + 1] & 0xff;
        if (marker == 0xDA || marker == 0xD9) return 1; // image data starts: no EXIF before it
        int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        if (len < 2 || i + 2 + len > b.length) return 1;
        if (marker == 0xE1 && len >= 16 && startsWith(b, i + 4, "Exif\0\0")) {
          return tiffOrientation(b, i + 10, i + 2 + len);
        }
        i += 2 + len;
      }
      return 1;
    }

    /** From a PNG's eXIf chunk, which Pillow reads too. */
    static int pngOrientation(byte[] b) {
      int i = 8;
      while (i + 12 <= b.length) {
        long len =
            ((b[i] & 0xffL) << 24)
                | ((b[i + 1] & 0xff) << 16)
                | ((b[i + 2] & 0xff) << 8)
                | (b[i + 3] & 0xff);
        if (len > b.length - i - 12) return 1;
        if (startsWith(b, i + 4, "eXIf")) return tiffOrientation(b, i + 8, i + 8 + (int) len);
        if (startsWith(b, i + 4, "IDAT") || startsWith(b, i + 4, "IEND")) return 1;
        i += 12 + (int) len;
      }
      return 1;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
      for (int k = 0; k < s.length(); k++) {
        if (at + k >= b.length || b[at + k] != (byte) s.charAt(k)) return false;
      }
      return true;
    }

    private static int tiffOrientation(byte[] b, int tiff, int end) {
      boolean little;
      if (startsWith(b, tiff, "II")) little = true;
      else if (startsWith(b, tiff, "MM")) little = false;
      else return 1;
      if (tiff + 8 > end) return 1;
      long ifd = tiff + u32(b, tiff + 4, little);
      if (ifd + 2 > end) return 1;
      int count = u16(b, (int) ifd, little);
      for (int k = 0; k < count; k++) {
        int entry = (int) ifd + 2 + 12 * k;
        if (entry + 12 > end) return 1;
        if (u16(b, entry, little) == 0x0112) {
          int v = u16(b, entry + 8, little);
          return v >= 1 && v <= 8 ? v : 1;
        }
      }
      return 1;
    }

    private static int u16(byte[] b, int at, boolean little) {
      int x = b[at] & 0xff;
      int y = b[at + 1] & 0xff;
      return little ? x | (y << 8) : (x << 8) | y;
    }

    private static long u32(byte[] b, int at, boolean little) {
      long v = 0;
      for (int k = 0; k < 4; k++) {
        long byteValue = b[at + (little ? 3 - k : k)] & 0xff;
        v = (v << 8) | byteValue;
      }
      return v;
    }
  }
}
