package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken input, the pixel cap, path-only values and the decoded feature; no Python needed. */
class ImagesTest {
  private static final Schema VALUE =
      Features.of(new LinkedHashMap<>(java.util.Map.of("v", new Feature.Image())))
          .beamSchema()
          .getField("v")
          .getType()
          .getRowSchema();

  @TempDir Path dir;

  static byte[] encode(BufferedImage img, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out), is(true));
    return out.toByteArray();
  }

  static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Random r = new Random(13);
    for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, r.nextInt());
    return img;
  }

  private static String failure(byte[] bytes) {
    Images.BrokenImage e = assertThrows(Images.BrokenImage.class, () -> Images.decode(bytes));
    assertThat(e.getMessage(), e.getMessage().contains("\n"), is(false));
    return e.getMessage();
  }

  @Test
  void decodesAPngToItsPixels() throws Exception {
    BufferedImage img = noise(3, 2);
    Row row = Images.decode(encode(img, "png"));
    assertThat(row.getSchema(), equalTo(Images.decodedSchema()));
    assertThat(row.getInt32("width"), is(3));
    assertThat(row.getInt32("height"), is(2));
    assertThat(row.getString("mode"), equalTo("RGB"));
    int rgb = img.getRGB(2, 1);
    assertThat(
        ImagesPythonTest.flatten(row.getValue("pixels"), 2, 3, 3).subList(15, 18),
        equalTo(List.of((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff)));
  }

  @Test
  void brokenImagesFailInOneLine() throws Exception {
    byte[] png = encode(noise(40, 30), "png");
    assertThat(failure(Arrays.copyOf(png, png.length / 2)), startsWith("cannot decode image: "));
    byte[] jpeg = encode(noise(40, 30), "jpeg");
    assertThat(
        failure(Arrays.copyOf(jpeg, jpeg.length / 2)),
        equalTo("JPEG image is corrupt: Truncated File - Missing EOI marker"));
    byte[] garbage = new byte[100];
    new Random(1).nextBytes(garbage);
    garbage[0] = 'x';
    assertThat(
        failure(garbage),
        equalTo(
            "not an image format ImageIO reads (JPEG, PNG, GIF, BMP, TIFF, WBMP); starts with "
                + hex(garbage)));
    assertThat(failure(new byte[0]), equalTo("the image is empty (0 bytes)"));
    assertThat(failure(png(0, 5)), startsWith("cannot decode image: "));
  }

  @Test
  void aDecompressionBombIsRefusedFromItsHeader() {
    // 20000 x 20000 RGB would need 1.2 GB of samples; the header alone is refused
    assertThat(
        failure(png(20000, 20000)),
        equalTo(
            "PNG image of 20000x20000 = 400000000 pixels exceeds the limit of 89478485 (Pillow's"
                + " MAX_IMAGE_PIXELS; a decompression bomb?)"));
    assertThat(failure(png(9460, 9459)), containsString("89482140 pixels exceeds the limit"));
  }

  @Test
  void pathOnlyValuesNeedAReader() throws Exception {
    byte[] png = encode(noise(2, 2), "png");
    Row pathOnly = Row.withSchema(VALUE).addValues(null, "images/a.png").build();
    assertThat(
        assertThrows(Images.BrokenImage.class, () -> Images.decode(pathOnly)).getMessage(),
        equalTo("the image has no bytes, only the path 'images/a.png'"));
    assertThat(
        Images.decode(pathOnly, p -> p.equals("images/a.png") ? png : null).getInt32("width"),
        is(2));
    assertThat(
        assertThrows(
                Images.BrokenImage.class,
                () ->
                    Images.decode(
                        pathOnly,
                        p -> {
                          throw new java.io.FileNotFoundException(p + " (no such file)");
                        }))
            .getMessage(),
        equalTo(
            "cannot read image 'images/a.png': FileNotFoundException: images/a.png (no such file)"));
    Row neither = Row.withSchema(VALUE).addValues(null, null).build();
    assertThat(
        assertThrows(Images.BrokenImage.class, () -> Images.decode(neither)).getMessage(),
        equalTo("the image has neither bytes nor path"));
  }

  @Test
  void theDecodedFeatureIsAValidDatasetFeatureAndWritesToParquet() throws Exception {
    LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
    fields.put("image", Images.decodedFeature());
    Features features = Features.of(fields);
    assertThat(Features.fromJson(features.toJson()), equalTo(features));
    assertThat(
        features.beamSchema().getField("image").getType().getRowSchema(),
        equalTo(Images.decodedSchema()));

    Row decoded = Images.decode(encode(noise(5, 4), "png"));
    Row wide = Images.decode(gray16());
    assertThat(wide.getString("mode"), equalTo("I;16"));
    assertThat(wide.getValue("pixels"), equalTo(null));
    Path file = dir.resolve("decoded.parquet");
    Schema s = features.beamSchema();
    try (HfParquetWriter w = HfParquetWriter.create(file, features, ParquetSettings.defaults())) {
      w.write(Row.withSchema(s).addValues(decoded).build());
      w.write(Row.withSchema(s).addValues(wide).build());
    }
    try (HfParquetReader r = HfParquetReader.open(file)) {
      assertThat(r.features(), equalTo(features));
      assertThat(r.next().getRow("image"), equalTo(decoded));
      assertThat(r.next().getRow("image"), equalTo(wide));
    }
  }

  @Test
  void conversionsPillowWouldDoDifferentlyFail() throws Exception {
    Row wide = Row.withSchema(VALUE).addValues(gray16(), null).build();
    assertThat(
        assertThrows(
                Images.BrokenImage.class,
                () -> Images.decode(wide, p -> null, new Feature.Image("RGB", true)))
            .getMessage(),
        equalTo("cannot convert a I;16 image to RGB; conversions: among [L, LA, RGB, RGBA]"));
    assertThat(
        assertThrows(
                Images.BrokenImage.class,
                () -> Images.decode(wide, p -> null, new Feature.Image(null, false)))
            .getMessage(),
        equalTo("the Image feature says decode=False"));
    assertThat(
        Images.decode(wide, p -> null, new Feature.Image("I;16", true)).getString("mode"),
        equalTo("I;16"));
  }

  private static byte[] gray16() throws IOException {
    BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
    img.getRaster().setSample(1, 1, 0, 65535);
    img.getRaster().setSample(2, 0, 0, 258);
    byte[] png = encode(img, "png");
    Row row = Images.decode(png);
    assertThat(
        ImagesPythonTest.flatten(row.getValue("pixels16"), 2, 3, 1),
        equalTo(List.of(0, 0, 258, 0, 65535, 0)));
    return png;
  }

  /** An RGB PNG header of the given size with one tiny (far too short) IDAT chunk. */
  static byte[] png(int width, int height) {
    ByteBuffer b = ByteBuffer.allocate(200);
    b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(b, "IHDR", ihdr.array());
    Deflater d = new Deflater();
    d.setInput(new byte[] {0, 1, 2, 3});
    d.finish();
    byte[] idat = new byte[64];
    int n = d.deflate(idat);
    chunk(b, "IDAT", Arrays.copyOf(idat, n));
    chunk(b, "IEND", new byte[0]);
    return Arrays.copyOf(b.array(), b.position());
  }

  private static void chunk(ByteBuffer b, String type, byte[] data) {
    b.putInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    b.put(t).put(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    b.putInt((int) crc.getValue());
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) s.append(String.format("%02x", b[i] & 0xff));
    return s.toString();
  }
}
