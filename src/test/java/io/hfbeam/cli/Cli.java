package io.hfbeam.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** Runs the CLI in-process and captures what it prints. */
public final class Cli {
  public final int exitCode;
  public final String out;
  public final String err;

  private Cli(int exitCode, String out, String err) {
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  public static Cli run(String... args) {
    return runWith(null, args);
  }

  /** With HF_* variables from {@code env} instead of the process environment. */
  public static Cli runWith(Map<String, String> env, String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
    PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8);
    CommandLine cl = Main.commandLine(po, pe, env);
    cl.setOut(new java.io.PrintWriter(po, true));
    cl.setErr(new java.io.PrintWriter(pe, true));
    int code = cl.execute(args);
    return new Cli(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- out\n" + out + "\n--- err\n" + err;
  }
}
