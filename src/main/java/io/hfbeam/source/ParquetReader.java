package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.format.RangedSource;
import io.hfbeam.format.parquet.ParquetSelection;
import io.hfbeam.format.parquet.RangedParquetFile;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.RangedFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The {@code parquet} builder: one unit per row group, so several workers read one file; each unit
 * fetches the footer and then only its row group's selected column chunks. Features come from the
 * first file ({@code huggingface} metadata, else the Parquet schema), as {@code datasets} takes
 * them; a file whose columns do not match the config's features fails as a whole unit, named.
 */
public final class ParquetReader implements FormatReader {
  public static final ParquetReader INSTANCE = new ParquetReader();

  private ParquetReader() {}

  @Override
  public Features features(
      DatasetFiles files, List<DataFile> dataFiles, Map<String, JsonNode> kwargs)
      throws IOException {
    if (dataFiles.isEmpty()) throw new IOException("no Parquet files to take features from");
    try (RangedSource src = files.open(dataFiles.get(0).path());
        RangedParquetFile f = open(src)) {
      return f.features();
    }
  }

  @Override
  public List<ReadUnit> plan(
      DatasetFiles files,
      DataFile file,
      long firstOrder,
      long unitBytes,
      Map<String, JsonNode> kwargs)
      throws IOException {
    try (RangedSource src = files.open(file.path());
        RangedParquetFile f = open(src)) {
      List<ReadUnit> units = new ArrayList<>();
      for (int i = 0; i < f.rowGroups().size(); i++) {
        units.add(ReadUnit.rowGroup(firstOrder + i, file, i));
      }
      return units;
    }
  }

  @Override
  public Optional<Long> rowCount(DatasetFiles files, DataFile file) throws IOException {
    try (RangedSource src = files.open(file.path());
        RangedParquetFile f = open(src)) {
      return Optional.of(f.rowCount());
    }
  }

  @Override
  public void read(
      DatasetFiles files,
      ReadUnit unit,
      Features features,
      Map<String, JsonNode> kwargs,
      List<String> columns,
      RowSink sink)
      throws IOException {
    List<String> wanted = columns.isEmpty() ? features.names() : columns;
    Schema schema = FormatReaders.select(features, wanted).beamSchema();
    try (RangedSource src = files.open(unit.path());
        RangedParquetFile f = open(src)) {
      String mismatch = mismatch(f.features(), features, wanted);
      if (mismatch != null) {
        sink.failure(unit.where(), mismatch, "");
        return;
      }
      ParquetSelection sel = ParquetSelection.all().withColumns(wanted);
      if (unit.isRowGroup()) sel = sel.withRowGroups(List.of(unit.rowGroup()));
      try (RangedParquetFile.Rows rows = f.read(sel)) {
        boolean same = rows.schema().equals(schema);
        while (rows.hasNext()) {
          Row r;
          try {
            r = rows.next();
          } catch (RangedParquetFile.BadRow bad) {
            sink.failure(bad.where(), bad.reason(), "");
            continue;
          }
          sink.row(same ? r : Row.withSchema(schema).addValues(r.getValues()).build());
        }
      }
    }
  }

  /**
   * The tails (footers) of Hub files this JVM opened lately, by content hash (ETag) and size: every
   * row-group unit of a file opens it again, and would fetch the same footer again. At most 64
   * entries of at most 64 KiB.
   */
  private static final Map<String, byte[]> TAILS =
      Collections.synchronizedMap(
          new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
              return size() > 64;
            }
          });

  /** Opens a Parquet file, with its footer from {@link #TAILS} when a Hub file's is there. */
  static RangedParquetFile open(RangedSource src) throws IOException {
    // only content-addressed sources: a local file may change between two units
    String key = src instanceof RangedFile hub ? hub.etag() + " " + hub.size() : null;
    byte[] tail = key == null ? null : TAILS.get(key);
    RangedParquetFile.Options options = RangedParquetFile.Options.defaults();
    if (tail != null) return RangedParquetFile.open(src, options, tail);
    RangedParquetFile f = RangedParquetFile.open(src, options);
    if (key != null) TAILS.put(key, f.tail());
    return f;
  }

  /**
   * Why a file cannot be read as the config's features, or null. Types that map to the same Beam
   * type (a ClassLabel stored as int64) are the same here.
   */
  private static String mismatch(Features inFile, Features config, List<String> wanted) {
    for (String n : wanted) {
      Feature mine = inFile.get(n);
      if (mine == null) {
        return "the file has no column '"
            + n
            + "' (it has "
            + String.join(", ", inFile.names())
            + ")";
      }
      Feature theirs = config.get(n);
      if (!mine.equals(theirs)
          && !io.hfbeam.hf.BeamMapping.fieldType(mine)
              .equals(io.hfbeam.hf.BeamMapping.fieldType(theirs))) {
        return "column '"
            + n
            + "' is "
            + Features.of(single(n, mine)).toJson()
            + " in the file but the config's features say "
            + Features.of(single(n, theirs)).toJson();
      }
    }
    return null;
  }

  private static java.util.LinkedHashMap<String, Feature> single(String n, Feature f) {
    java.util.LinkedHashMap<String, Feature> m = new java.util.LinkedHashMap<>();
    m.put(n, f);
    return m;
  }
}
