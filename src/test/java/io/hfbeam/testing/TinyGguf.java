package io.hfbeam.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes a tiny random-weight llama model as a GGUF v3 file (about 400 KB): a real model for
 * llama.cpp whose answers are gibberish, so tests exercise the real protocol, token counts and
 * grammar-constrained output without any downloaded weights. Same seed, same bytes.
 */
public final class TinyGguf {
  static final int EMBED = 64;
  static final int HEADS = 4;
  static final int FF = 128;
  static final int BLOCKS = 2;
  static final int CONTEXT = 2048;
  static final int ALIGN = 32;

  private static final int T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7, T_STRING = 8, T_ARRAY = 9;
  private static final int GGML_F32 = 0, GGML_F16 = 1;

  private static final String CHATML =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
          + " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private static final String[] WORDS = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "and",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "be",
    "by",
    "this",
    "are",
    "or",
    "from",
    "at",
    "not",
    "but",
    "have",
    "has",
    "had",
    "patient",
    "error",
    "text",
    "correct",
    "incorrect",
    "reason",
    "answer",
    "question",
    "name",
    "value",
    "true",
    "false",
    "null",
    "dose",
    "drug",
    "day",
    "days",
    "mg",
    "blood",
    "pressure",
    "heart",
    "rate",
    "history",
    "diagnosis",
    "treatment",
    "system",
    "user",
    "assistant",
    "im",
    "start",
    "end",
    "json",
    "hello",
    "world",
    "model",
    "data",
    "set",
    "one",
    "two",
    "three",
    "four",
    "five",
    "yes",
    "no",
    "good",
    "bad",
    "new",
    "old",
    "first",
    "last",
    "time",
    "year",
    "years",
    "man",
    "woman",
    "child",
    "pain",
    "fever",
    "cough",
    "test",
    "result",
    "normal",
    "high",
    "low",
    "left",
    "right",
    "acute",
    "chronic",
    "disease",
    "infection",
    "medication",
    "therapy",
    "clinical",
    "note",
    "report"
  };

  private TinyGguf() {}

  /** Writes the model to {@code file} (seed 42). */
  public static Path write(Path file) throws IOException {
    return write(file, 42);
  }

  public static Path write(Path file, long seed) throws IOException {
    List<String> tokens = new ArrayList<>();
    List<Integer> types = new ArrayList<>();
    tokens.add("<unk>");
    types.add(2);
    tokens.add("<s>");
    types.add(3);
    tokens.add("</s>");
    types.add(3);
    for (int b = 0; b < 256; b++) {
      tokens.add(String.format("<0x%02X>", b));
      types.add(6);
    }
    // word pieces: the SentencePiece space marker, printable characters (JSON punctuation among
    // them), words with and without the marker, and their two-letter prefixes
    Set<String> pieces = new LinkedHashSet<>();
    pieces.add("\u2581");
    for (char c = 33; c < 127; c++) pieces.add(String.valueOf(c));
    for (String w : WORDS) {
      pieces.add("\u2581" + w);
      pieces.add(w);
      if (w.length() > 2) pieces.add(w.substring(0, 2));
    }
    for (String p : List.of("\":", "\",", "{\"", "\"}", "\u2581\"", "\u2581{", "|>", "<|")) {
      pieces.add(p);
    }
    for (String p : pieces) {
      tokens.add(p);
      types.add(1);
    }
    int vocab = tokens.size();

    ByteArrayOutputStream head = new ByteArrayOutputStream();
    Le out = new Le(head);
    out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
    out.u32(3);
    List<Tensor> tensors = tensors(vocab);
    out.u64(tensors.size());
    out.u64(22);
    kvString(out, "general.architecture", "llama");
    kvString(out, "general.name", "hfbeam-tiny-random");
    kvU32(out, "general.file_type", 1);
    kvU32(out, "general.alignment", ALIGN);
    kvU32(out, "llama.context_length", CONTEXT);
    kvU32(out, "llama.embedding_length", EMBED);
    kvU32(out, "llama.block_count", BLOCKS);
    kvU32(out, "llama.feed_forward_length", FF);
    kvU32(out, "llama.attention.head_count", HEADS);
    kvU32(out, "llama.attention.head_count_kv", HEADS);
    out.string("llama.attention.layer_norm_rms_epsilon");
    out.u32(T_F32);
    out.f32(1e-5f);
    kvU32(out, "llama.rope.dimension_count", EMBED / HEADS);
    kvString(out, "tokenizer.ggml.model", "llama");
    kvString(out, "tokenizer.ggml.pre", "default");
    out.string("tokenizer.ggml.tokens");
    out.u32(T_ARRAY);
    out.u32(T_STRING);
    out.u64(vocab);
    for (String t : tokens) out.string(t);
    out.string("tokenizer.ggml.scores");
    out.u32(T_ARRAY);
    out.u32(T_F32);
    out.u64(vocab);
    // longer pieces score higher, so SentencePiece merges prefer them
    for (String t : tokens)
      out.f32(t.length() > 1 && !t.startsWith("<") ? -10f + t.length() : -20f);
    out.string("tokenizer.ggml.token_type");
    out.u32(T_ARRAY);
    out.u32(T_I32);
    out.u64(vocab);
    for (int t : types) out.u32(t);
    kvU32(out, "tokenizer.ggml.bos_token_id", 1);
    kvU32(out, "tokenizer.ggml.eos_token_id", 2);
    kvU32(out, "tokenizer.ggml.unknown_token_id", 0);
    out.string("tokenizer.ggml.add_bos_token");
    out.u32(T_BOOL);
    head.write(1);
    kvString(out, "tokenizer.chat_template", CHATML);

    long offset = 0;
    for (Tensor t : tensors) {
      out.string(t.name);
      out.u32(t.dims.length);
      for (long d : t.dims) out.u64(d);
      out.u32(t.f32 ? GGML_F32 : GGML_F16);
      out.u64(offset);
      offset = align(offset + t.bytes());
    }
    pad(head);

    Random random = new Random(seed);
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (OutputStream os = Files.newOutputStream(file)) {
      os.write(head.toByteArray());
      for (Tensor t : tensors) {
        ByteBuffer data =
            ByteBuffer.allocate((int) align(t.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < t.count(); i++) {
          if (t.f32) data.putFloat(1f);
          else data.putShort(toHalf((float) (random.nextGaussian() * 0.02)));
        }
        os.write(data.array());
      }
    }
    return file;
  }

  private record Tensor(String name, boolean f32, long... dims) {
    long count() {
      long n = 1;
      for (long d : dims) n *= d;
      return n;
    }

    long bytes() {
      return count() * (f32 ? 4 : 2);
    }
  }

  private static List<Tensor> tensors(int vocab) {
    List<Tensor> t = new ArrayList<>();
    t.add(new Tensor("token_embd.weight", false, EMBED, vocab));
    t.add(new Tensor("output_norm.weight", true, EMBED));
    t.add(new Tensor("output.weight", false, EMBED, vocab));
    for (int b = 0; b < BLOCKS; b++) {
      String p = "blk." + b + ".";
      t.add(new Tensor(p + "attn_norm.weight", true, EMBED));
      t.add(new Tensor(p + "attn_q.weight", false, EMBED, EMBED));
      t.add(new Tensor(p + "attn_k.weight", false, EMBED, EMBED));
      t.add(new Tensor(p + "attn_v.weight", false, EMBED, EMBED));
      t.add(new Tensor(p + "attn_output.weight", false, EMBED, EMBED));
      t.add(new Tensor(p + "ffn_norm.weight", true, EMBED));
      t.add(new Tensor(p + "ffn_gate.weight", false, EMBED, FF));
      t.add(new Tensor(p + "ffn_up.weight", false, EMBED, FF));
      t.add(new Tensor(p + "ffn_down.weight", false, FF, EMBED));
    }
    return t;
  }

  private static long align(long n) {
    return (n + ALIGN - 1) / ALIGN * ALIGN;
  }

  private static void pad(ByteArrayOutputStream b) {
    while (b.size() % ALIGN != 0) b.write(0);
  }

  private static void kvString(Le out, String key, String value) throws IOException {
    out.string(key);
    out.u32(T_STRING);
    out.string(value);
  }

  private static void kvU32(Le out, String key, int value) throws IOException {
    out.string(key);
    out.u32(T_U32);
    out.u32(value);
  }

  /** IEEE 754 half precision, round to nearest; the weights are small normal numbers. */
  static short toHalf(float f) {
    int bits = Float.floatToIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
    int mant = bits & 0x7fffff;
    if (exp <= 0) {
      if (exp < -10) return (short) sign;
      mant |= 0x800000;
      int shift = 14 - exp;
      int half = mant >> shift;
      if (((mant >> (shift - 1)) & 1) != 0) half++;
      return (short) (sign | half);
    }
    if (exp >= 31) return (short) (sign | 0x7c00);
    int half = sign | (exp << 10) | (mant >> 13);
    if ((mant & 0x1000) != 0) half++;
    return (short) half;
  }

  /** Little-endian writer of GGUF's scalar and string encodings. */
  private record Le(ByteArrayOutputStream b) {
    void bytes(byte[] v) {
      b.writeBytes(v);
    }

    void u32(int v) {
      b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    void u64(long v) {
      b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    void f32(float v) {
      b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    void string(String s) {
      byte[] v = s.getBytes(StandardCharsets.UTF_8);
      u64(v.length);
      bytes(v);
    }
  }
}
