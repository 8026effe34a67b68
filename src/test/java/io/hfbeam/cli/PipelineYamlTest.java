package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.workflow.OutputFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every option's value is the flag, else the pipeline YAML's, else the built-in default; one
 * mechanism for all.
 */
class PipelineYamlTest {
  @TempDir Path tmp;

  private static <T> T parse(Class<T> type, String... args) {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    CommandLine.ParseResult r = Main.commandLine(sink, sink).parseArgs(args);
    return type.cast(r.subcommand().commandSpec().userObject());
  }

  @Test
  void aFlagWinsOverTheYamlWhichWinsOverTheDefault() throws Exception {
    Path yaml = tmp.resolve("chess.yaml");
    Files.writeString(
        yaml,
        "seed: 5\nencoding: BitBoard\nwindow: history\nbatch_size: 7\ndata_path: [a.pgn, b.pgn]\n"
            + "parquet:\n  compression: snappy\n");
    ChessPositionsCommand c =
        parse(
            ChessPositionsCommand.class,
            "chess-positions",
            "--config",
            yaml.toString(),
            "--seed",
            "9",
            "--window",
            "REPEAT");
    assertThat(c.seed, equalTo(9L)); // flag over YAML
    assertThat(
        c.window, equalTo(io.hfbeam.chess.PositionGenerator.Window.REPEAT)); // flag, any case
    assertThat(c.encoding, equalTo(PositionEncoding.BITBOARD)); // YAML, any case
    assertThat(c.batchSize, equalTo(7L));
    assertThat(c.dataPath, equalTo(List.of("a.pgn", "b.pgn"))); // a YAML list
    assertThat(c.common.compression, equalTo("snappy")); // a nested key
    assertThat(c.rate, equalTo(0.33)); // built-in
    assertThat(c.firstBatch, equalTo(null)); // neither: the run continues the numbering
    assertThat(c.common.output, equalTo("out/chess-positions")); // the per-workflow default
    assertThat(c.windowSize, equalTo(10)); // built-in
  }

  @Test
  void theWindowSizeAndInferRowsAreOptionsLikeTheOthers() throws Exception {
    Path chess = Files.writeString(tmp.resolve("chess.yaml"), "window_size: 3\n");
    assertThat(
        parse(ChessPositionsCommand.class, "chess-positions", "--config", chess.toString())
            .windowSize,
        equalTo(3));
    assertThat(
        parse(
                ChessPositionsCommand.class,
                "chess-positions",
                "--config",
                chess.toString(),
                "--window-size",
                "4")
            .windowSize,
        equalTo(4));
    Path convert = Files.writeString(tmp.resolve("convert.yaml"), "infer_rows: 20\n");
    assertThat(
        parse(ConvertCommand.class, "convert", "--config", convert.toString()).inferRows,
        equalTo(20));
    assertThat(
        parse(ConvertCommand.class, "convert", "--config", convert.toString(), "--infer-rows", "5")
            .inferRows,
        equalTo(5));
  }

  @Test
  void theWorkflowsOwnYamlGivesDefaultsWithoutConfig() {
    ConvertCommand c = parse(ConvertCommand.class, "convert"); // pipelines/convert.yaml
    assertThat(c.format, equalTo(OutputFormat.PARQUET));
    assertThat(c.seed, equalTo(42L));
    assertThat(c.splitBy, equalTo(null)); // key: [] is no value
    assertThat(c.filePattern, equalTo("{split}/batch_{NNN}.parquet"));
    assertThat(c.firstBatch, equalTo(1));
  }

  @Test
  void helpShowsTheEffectiveDefaults() throws Exception {
    Path yaml = tmp.resolve("convert.yaml");
    Files.writeString(yaml, "format: both\nbatch_size: 250\n");
    Cli r = Cli.run("convert", "--config", yaml.toString(), "--help");
    assertThat(r.toString(), r.exitCode, is(0));
    assertThat(r.out, containsString("(default: both)"));
    assertThat(r.out, containsString("(default: 250)"));
    assertThat(r.out, containsString("out/convert).")); // help wraps the line before it
  }

  @Test
  void aWrongChoiceInTheYamlIsTheSameOneLineUsageError() throws Exception {
    Path yaml = tmp.resolve("chess.yaml");
    Files.writeString(yaml, "encoding: fen\n");
    Cli r =
        Cli.run(
            "chess-positions",
            "--config",
            yaml.toString(),
            "--output",
            tmp.resolve("o").toString());
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(
        r.err.strip(),
        equalTo("error: --encoding must be one of token_sequence, bitboard, planes, got fen"));
  }
}
