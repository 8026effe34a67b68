package io.hfbeam.hf;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One Hugging Face {@code datasets} feature type. The records mirror the Python classes of the same
 * name; the JSON, YAML, Beam and Parquet forms live in {@link Features} so that all of them derive
 * from one definition.
 */
public sealed interface Feature extends Serializable {

  /**
   * A scalar column, e.g. {@code Value("int8")}. Aliases {@code float}/{@code double} are
   * normalised.
   */
  record Value(String dtype) implements Feature {
    private static final Set<String> DTYPES =
        Set.of(
            "bool",
            "int8",
            "int16",
            "int32",
            "int64",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "float16",
            "float32",
            "float64",
            "string",
            "large_string",
            "binary",
            "timestamp[s]",
            "timestamp[ms]",
            "timestamp[us]",
            "timestamp[ns]");

    /**
     * A zoned timestamp as Arrow names it ({@code timestamp[us, tz=UTC]}), which datasets keeps.
     */
    private static final java.util.regex.Pattern ZONED =
        java.util.regex.Pattern.compile("timestamp\\[(s|ms|us|ns), tz=([^\\]\\s][^\\]]*)\\]");

    public Value {
      Objects.requireNonNull(dtype, "dtype");
      dtype = canonical(dtype);
    }

    /** Validates a dtype name and resolves the aliases {@code datasets} accepts. */
    static String canonical(String dtype) {
      String d = dtype.trim();
      if (d.equals("float")) return "float32";
      if (d.equals("double")) return "float64";
      if (!DTYPES.contains(d) && !ZONED.matcher(d).matches()) {
        throw new IllegalArgumentException(
            "unsupported dtype '"
                + dtype
                + "'; expected one of "
                + new java.util.TreeSet<>(DTYPES)
                + " or timestamp[unit, tz=ZONE]");
      }
      return d;
    }

    public boolean isTimestamp() {
      return dtype.startsWith("timestamp[");
    }

    /** The unit inside {@code timestamp[unit]} or {@code timestamp[unit, tz=ZONE]}. */
    public String timestampUnit() {
      if (!isTimestamp()) throw new IllegalStateException(dtype + " is not a timestamp");
      return timestampUnit(dtype);
    }

    /** The unit of a timestamp dtype name. */
    public static String timestampUnit(String dtype) {
      String inner = dtype.substring("timestamp[".length(), dtype.length() - 1);
      int comma = inner.indexOf(',');
      return comma < 0 ? inner : inner.substring(0, comma);
    }

    /** The zone of a zoned timestamp ({@code UTC} of {@code timestamp[us, tz=UTC]}), if any. */
    public java.util.Optional<String> timeZone() {
      java.util.regex.Matcher m = ZONED.matcher(dtype);
      return m.matches() ? java.util.Optional.of(m.group(2)) : java.util.Optional.empty();
    }
  }

  /** Integer labels with names; stored as int64 like {@code datasets} does. */
  record ClassLabel(List<String> names) implements Feature {
    public ClassLabel {
      names = List.copyOf(names);
    }
  }

  /** A list of {@code feature}; {@code length} -1 means variable length. */
  record Sequence(Feature feature, int length) implements Feature {
    public Sequence {
      Objects.requireNonNull(feature, "feature");
      if (length < -1)
        throw new IllegalArgumentException(
            "Sequence length must be -1 (variable) or >= 0, got " + length);
    }

    public Sequence(Feature feature) {
      this(feature, -1);
    }
  }

  /**
   * Array2D..Array5D: a fixed-shape nested list of one dtype. Only the first dimension may be
   * dynamic; it is stored as {@code null} (input -1 is accepted for it).
   */
  record ArrayND(List<Integer> shape, String dtype) implements Feature {
    public ArrayND {
      Objects.requireNonNull(shape, "shape");
      if (shape.size() < 2 || shape.size() > 5) {
        throw new IllegalArgumentException("ArrayND needs rank 2..5, got shape " + shape);
      }
      List<Integer> s = new ArrayList<>(shape);
      if (s.get(0) != null && s.get(0) == -1) s.set(0, null);
      for (int i = 1; i < s.size(); i++) {
        if (s.get(i) == null || s.get(i) < 1) {
          throw new IllegalArgumentException(
              "only the first ArrayND dimension may be dynamic, got shape " + shape);
        }
      }
      shape = Collections.unmodifiableList(s);
      dtype = Value.canonical(dtype);
    }

    public int rank() {
      return shape.size();
    }

    /** Name used by {@code datasets}: Array2D..Array5D. */
    public String typeName() {
      return "Array" + rank() + "D";
    }

    /**
     * The type of one element of the outer list. Everywhere outside the JSON/YAML forms an ArrayND
     * is handled as nested lists, which is exactly its Arrow storage type.
     */
    public Feature element() {
      if (rank() == 2) return new Sequence(new Value(dtype), shape.get(1));
      return new ArrayND(shape.subList(1, shape.size()), dtype);
    }
  }

  /**
   * A feature {@code datasets} stores as a plain Arrow type but reads with its own meaning (an
   * Image's struct of bytes and path). Everything that handles values (Beam rows, Parquet, JSON
   * lines, sizes) works on {@link #storage()}; only the metadata forms (JSON, YAML, Beam options)
   * keep the type itself.
   */
  sealed interface Encoded extends Feature
      permits Image, Audio, Translation, TranslationVariableLanguages, Json {
    /** The feature with the same Arrow storage type, built from Value/Sequence/Struct only. */
    Feature storage();
  }

  /** The storage of an encoded feature; any other feature as it is. */
  static Feature storageOf(Feature f) {
    return f instanceof Encoded e ? e.storage() : f;
  }

  /** The {@code {bytes: binary, path: string}} struct that Image and Audio store. */
  private static Struct bytesAndPath() {
    LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
    fields.put("bytes", new Value("binary"));
    fields.put("path", new Value("string"));
    return new Struct(fields);
  }

  /**
   * {@code Image(mode=None, decode=True)} of datasets 5: stored as {@code {bytes, path}}; {@code
   * mode} (a PIL mode such as "RGB") is what decoding converts to, null for the image's own.
   */
  record Image(String mode, boolean decode) implements Encoded {
    public Image() {
      this(null, true);
    }

    @Override
    public Feature storage() {
      return bytesAndPath();
    }
  }

  /**
   * {@code Audio(sampling_rate=None, decode=True, num_channels=None, stream_index=None)} of
   * datasets 5 (which replaced 2.x's {@code mono} with {@code num_channels}): stored as {@code
   * {bytes, path}}; the other fields only steer decoding, which hf-beam does not do. Null means
   * unset.
   */
  record Audio(Integer samplingRate, boolean decode, Integer numChannels, Integer streamIndex)
      implements Encoded {
    public Audio {
      if (samplingRate != null && samplingRate < 1)
        throw new IllegalArgumentException("Audio sampling_rate must be >= 1, got " + samplingRate);
      if (numChannels != null && numChannels != 1 && numChannels != 2)
        throw new IllegalArgumentException(
            "Audio num_channels must be 1 or 2 (or unset), got " + numChannels);
      if (streamIndex != null && streamIndex < 0)
        throw new IllegalArgumentException("Audio stream_index must be >= 0, got " + streamIndex);
    }

    public Audio() {
      this(null, true, null, null);
    }

    @Override
    public Feature storage() {
      return bytesAndPath();
    }
  }

  /**
   * {@code Translation(languages)}: one string per language. The languages are kept in the order
   * given, as datasets keeps them; the storage struct has them sorted, as datasets stores them.
   */
  record Translation(List<String> languages) implements Encoded {
    public Translation {
      languages = List.copyOf(languages);
      if (languages.isEmpty()) throw new IllegalArgumentException("Translation needs languages");
      if (new java.util.HashSet<>(languages).size() != languages.size())
        throw new IllegalArgumentException("Translation languages repeat: " + languages);
    }

    @Override
    public Feature storage() {
      LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
      new java.util.TreeSet<>(languages).forEach(l -> fields.put(l, new Value("string")));
      return new Struct(fields);
    }
  }

  /**
   * {@code TranslationVariableLanguages(languages)}: stored as {@code {language: list<string>,
   * translation: list<string>}}; languages sorted and distinct as datasets keeps them, empty for
   * "any".
   */
  record TranslationVariableLanguages(List<String> languages) implements Encoded {
    public TranslationVariableLanguages {
      languages = List.copyOf(new java.util.TreeSet<>(languages));
    }

    @Override
    public Feature storage() {
      LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
      fields.put("language", new Sequence(new Value("string")));
      fields.put("translation", new Sequence(new Value("string")));
      return new Struct(fields);
    }
  }

  /**
   * {@code Json(decode=True)} of datasets 5: any JSON value, stored as its compact JSON text (a
   * Parquet string column with the JSON annotation, which datasets needs to keep the feature).
   */
  record Json(boolean decode) implements Encoded {
    public Json() {
      this(true);
    }

    @Override
    public Feature storage() {
      return new Value("string");
    }
  }

  /** A nested dict of named sub-features, in declared order. */
  record Struct(LinkedHashMap<String, Feature> fields) implements Feature {
    public Struct {
      Objects.requireNonNull(fields, "fields");
      fields = new LinkedHashMap<>(fields);
      for (Map.Entry<String, Feature> e : fields.entrySet()) {
        Objects.requireNonNull(e.getValue(), () -> "feature of struct field '" + e.getKey() + "'");
      }
    }
  }
}
