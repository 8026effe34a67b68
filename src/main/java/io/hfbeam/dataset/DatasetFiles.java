package io.hfbeam.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of a dataset, planned and written: from the parts, one job per batch file (Parquet
 * and/or JSONL, assembled from whole parts and pieces of parts) and one for {@code
 * _errors/errors.jsonl} (the chunks' error parts in input order, lines counted from the start of
 * each input file). Used by {@link AssembleDataset} and, per pane, {@link AssemblePanes}.
 */
public final class DatasetFiles {
  public static final String ERRORS_FILE = "_errors/errors.jsonl";

  private DatasetFiles() {}

  /** Work for one output file: the data file of a batch, or the errors file. */
  public record Job(Batch.FilePlan plan, List<Part> errorParts, Map<Long, Long> linesBefore)
      implements Serializable {}

  /**
   * The batch files of these parts, numbered by {@code batch}, then the errors job (always last).
   */
  static <T> List<Job> jobs(AssembleDataset.Settings<T> s, List<Part> all, Batch.Settings batch)
      throws IOException {
    List<Job> jobs = new ArrayList<>();
    // one part per chunk, sink and split: a restored Flink job may have processed a chunk twice
    // (same content)
    Map<String, Part> unique = new LinkedHashMap<>();
    for (Part p : all) unique.putIfAbsent(p.sink() + "/" + p.split() + "/" + p.chunk(), p);
    List<Part> parts = new ArrayList<>(unique.values());
    for (Batch.FilePlan plan : Batch.plan(parts, batch, Batch.splitOrder(s.splitOrder))) {
      jobs.add(new Job(plan, null, null));
    }
    List<Part> errors = new ArrayList<>();
    TreeMap<Long, Long> lines = new TreeMap<>();
    for (Part p : parts) {
      if (Part.ERRORS.equals(p.sink())) errors.add(p);
      else if (p.isStats()) lines.put(p.chunk(), p.chunkLines());
    }
    errors.sort(Comparator.comparingLong(Part::chunk));
    Map<Long, Long> before = new HashMap<>();
    Map<Integer, Long> perFile = new HashMap<>();
    for (Map.Entry<Long, Long> e : lines.entrySet()) {
      int file = InputFiles.Chunk.fileIndexOf(e.getKey());
      long acc = perFile.getOrDefault(file, 0L);
      before.put(e.getKey(), acc);
      perFile.put(file, acc + e.getValue());
    }
    jobs.add(new Job(null, errors, before));
    return jobs;
  }

  /**
   * Writes the file of one job under {@code root} (a staging folder), each moved into place there
   * atomically: a batch file (Parquet and/or JSONL), or the errors file, named {@code
   * _errors/errors<errorsSuffix>.jsonl}.
   */
  static <T> void write(
      AssembleDataset.Settings<T> s,
      Path root,
      Job job,
      String errorsSuffix,
      java.util.function.Consumer<WrittenFile> out)
      throws IOException {
    if (job.plan() == null) {
      writeErrors(root, job, errorsSuffix, out);
      return;
    }
    Batch.FilePlan plan = job.plan();
    if (s.format.parquet()) {
      String rel = s.parquetNaming.name(plan.split(), plan.batch(), plan.index(), plan.count());
      Path target = root.resolve(rel);
      AtomicFiles.write(target, tmp -> s.format.assembleParquet(plan.pieces(), tmp));
      out.accept(written(plan.split(), rel, target, plan.rows(), plan.arrowBytes()));
    }
    if (s.format.jsonl()) {
      String rel = s.jsonlNaming.name(plan.split(), plan.batch(), plan.index(), plan.count());
      Path target = root.resolve(rel);
      AtomicFiles.write(
          target,
          tmp -> {
            try (FileChannel ch =
                    FileChannel.open(
                        tmp,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
              for (Batch.Piece p : plan.pieces()) {
                Path part = Path.of(p.base() + ".jsonl");
                if (p.whole()) {
                  os.flush();
                  AtomicFiles.appendWhole(
                      part, ch); // in the kernel: most of a split's bytes are whole parts
                } else {
                  AtomicFiles.copyLines(part, p.from(), p.to(), os);
                }
              }
            }
          });
      out.accept(written(plan.split(), rel, target, plan.rows(), plan.arrowBytes()));
    }
  }

  private static void writeErrors(
      Path root, Job job, String suffix, java.util.function.Consumer<WrittenFile> out)
      throws IOException {
    String rel = ERRORS_FILE.replace(".jsonl", suffix + ".jsonl");
    Path target = root.resolve(rel);
    if (job.errorParts().isEmpty()) {
      Files.deleteIfExists(target); // a re-run without failures must not keep the old ones
      return;
    }
    Features features = Features.fromBeamSchema(Failures.SCHEMA);
    long[] count = {0};
    AtomicFiles.write(
        target,
        tmp -> {
          try (JsonlRowWriter w =
              new JsonlRowWriter(
                  new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), features)) {
            for (Part p : job.errorParts()) {
              long before = job.linesBefore().getOrDefault(p.chunk(), 0L);
              for (String line :
                  Files.readAllLines(Path.of(p.base() + ".jsonl"), StandardCharsets.UTF_8)) {
                w.write(Failures.fromJson(ERRORS_JSON.readTree(line), before));
                count[0]++;
              }
            }
          }
        });
    out.accept(written(null, rel, target, count[0], 0));
  }

  private static final ObjectMapper ERRORS_JSON = new ObjectMapper();

  private static WrittenFile written(String split, String rel, Path target, long rows, long arrow)
      throws IOException {
    return new WrittenFile(split, rel, target.toString(), rows, Files.size(target), arrow);
  }
}
