package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.format.RangedSource;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * A resolved read: the dataset's files at a fixed version, the config's builder and kwargs, the
 * features of the columns read, and the units in {@code datasets}' order. Made on the launcher by
 * {@link HfDataset#plan}; travels to the workers, where {@link #read} reads one unit.
 *
 * @param files the dataset's files (pinned)
 * @param config the config read
 * @param splits the splits read, in order
 * @param builder the packaged builder
 * @param kwargs its kwargs from the card
 * @param features the config's features (all columns)
 * @param columns the columns read, in order (all when the spec named none)
 * @param units the work, split by split, in read order
 * @param decodeImages top-level Image columns are decoded ({@link Images#decodedFeature})
 */
public record ReadPlan(
    DatasetFiles files,
    String config,
    List<String> splits,
    String builder,
    Map<String, JsonNode> kwargs,
    Features features,
    List<String> columns,
    List<ReadUnit> units,
    boolean decodeImages)
    implements Serializable {

  public ReadPlan {
    splits = List.copyOf(splits);
    kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    columns = List.copyOf(columns);
    units = List.copyOf(units);
  }

  /** The features of the columns read: the schema of the rows. */
  public Features selected() {
    Features read = FormatReaders.select(features, columns);
    if (!decodeImages) return read;
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    read.asMap()
        .forEach((n, f) -> out.put(n, f instanceof Feature.Image ? Images.decodedFeature() : f));
    return Features.of(out);
  }

  /**
   * Reads one unit into the sink. With {@link #decodeImages}, a row whose image does not decode is
   * a located failure (file, row in the unit, column) and the others go on.
   */
  public void read(ReadUnit unit, RowSink sink) throws IOException {
    FormatReader reader = FormatReaders.forBuilder(builder);
    if (!decodeImages) {
      reader.read(files, unit, features, kwargs, columns, sink);
      return;
    }
    Features read = FormatReaders.select(features, columns);
    Schema schema = selected().beamSchema();
    List<String> names = read.names();
    long[] row = {0};
    reader.read(
        files,
        unit,
        features,
        kwargs,
        columns,
        new RowSink() {
          @Override
          public void row(Row r) {
            long at = row[0]++;
            List<Object> values = new ArrayList<>(r.getValues());
            for (int i = 0; i < names.size(); i++) {
              if (!(read.get(names.get(i)) instanceof Feature.Image image) || values.get(i) == null)
                continue;
              try {
                values.set(i, Images.decode((Row) values.get(i), ReadPlan.this::bytesOf, image));
              } catch (RuntimeException e) {
                sink.failure(
                    unit.where() + " row " + at + " column " + names.get(i),
                    "image does not decode: " + e.getMessage(),
                    "");
                return;
              }
            }
            sink.row(Row.withSchema(schema).addValues(values).build());
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            row[0]++;
            sink.failure(where, reason, excerpt);
          }
        });
  }

  /** The bytes of a file an image names by path, read from the dataset (a repo path). */
  private byte[] bytesOf(String path) throws IOException {
    try (RangedSource src = files.open(path)) {
      if (src.size() > Integer.MAX_VALUE - 8) throw new IOException(path + " is too large");
      byte[] b = new byte[(int) src.size()];
      src.readFully(0, b, 0, b.length);
      return b;
    }
  }
}
