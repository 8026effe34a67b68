package io.hfbeam.format.parquet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.Util;

/**
 * Makes parquet-java footers deterministic across JVMs. parquet-java collects each column chunk's
 * encodings in a HashSet of enum constants, whose iteration order follows identity hash codes and
 * so changes from one JVM to the next: the same rows gave different bytes per run. Sorting the
 * lists (same elements, same Thrift size) fixes it in place.
 */
final class ParquetFooters {
  private ParquetFooters() {}

  static void sortEncodings(Path file) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      ByteBuffer tail = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(tail, size - 8);
      int footerLength = tail.getInt(0);
      long footerStart = size - 8 - footerLength;
      ByteBuffer footer = ByteBuffer.allocate(footerLength);
      ch.read(footer, footerStart);
      FileMetaData meta = Util.readFileMetaData(new ByteArrayInputStream(footer.array()));
      for (RowGroup rg : meta.getRow_groups()) {
        for (ColumnChunk cc : rg.getColumns()) {
          if (cc.isSetMeta_data())
            cc.getMeta_data().getEncodings().sort(Comparator.comparingInt(Encoding::getValue));
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(footerLength);
      Util.writeFileMetaData(meta, out);
      if (out.size() != footerLength)
        throw new IOException("footer changed size while sorting encodings: " + file);
      ch.write(ByteBuffer.wrap(out.toByteArray()), footerStart);
    }
  }
}
