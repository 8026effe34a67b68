package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The packaged builders of {@code datasets} 5.0.1 and how a list of data files picks one ({@code
 * packaged_modules/__init__.py}, {@code load.py::infer_module_for_data_files_list}). The tables are
 * copied from that version, so a file {@code datasets} ignores is ignored here too.
 */
final class Builders {
  private Builders() {}

  /** A builder and the kwargs its extension implies (".tsv" gives {@code sep: "\\t"}). */
  record Builder(String name, Map<String, JsonNode> defaults) {
    /** Whether the builder's config class has this field (unknown builders: every key). */
    boolean accepts(String key) {
      List<String> fields = CONFIG_FIELDS.get(name);
      return fields == null || fields.contains(key);
    }

    /** {@code DataFilesList.filter}: the files this builder reads, among those resolved. */
    Pattern filter() {
      List<String> exts = new ArrayList<>(MODULE_EXTENSIONS.getOrDefault(name, List.of()));
      exts.add(".zip");
      exts.addAll(METADATA_EXTENSIONS.getOrDefault(name, List.of()));
      StringBuilder re = new StringBuilder(".*(?:");
      for (int i = 0; i < exts.size(); i++)
        re.append(i > 0 ? "|" : "").append(Pattern.quote(exts.get(i)));
      re.append(")(?:\\..+)?");
      List<String> names = METADATA_FILE_NAMES.getOrDefault(name, List.of());
      if (!names.isEmpty()) {
        re.insert(0, "(?:").append(")|(?:.*/?(?:");
        for (int i = 0; i < names.size(); i++)
          re.append(i > 0 ? "|" : "").append(Pattern.quote(names.get(i)));
        re.append("))");
      }
      return Pattern.compile(re.toString());
    }
  }

  static final Map<String, Builder> EXTENSION_TO_BUILDER = new LinkedHashMap<>();
  static final Map<String, List<String>> MODULE_EXTENSIONS = new HashMap<>();
  static final Map<String, List<String>> METADATA_EXTENSIONS =
      Map.of("lance", List.of(".idx", ".txn", ".manifest"));
  static final Map<String, List<String>> METADATA_FILE_NAMES = new HashMap<>();
  static final Set<String> METADATA_FILENAMES =
      Set.of("latest_version_hint.json", "metadata.csv", "metadata.jsonl", "metadata.parquet");
  static final Set<String> ALLOWED_EXTENSIONS;
  static final Map<String, List<String>> CONFIG_FIELDS =
      Map.of(
          "csv",
          List.of(
              "name",
              "version",
              "data_dir",
              "data_files",
              "description",
              "sep",
              "delimiter",
              "header",
              "names",
              "column_names",
              "index_col",
              "usecols",
              "prefix",
              "mangle_dupe_cols",
              "engine",
              "converters",
              "true_values",
              "false_values",
              "skipinitialspace",
              "skiprows",
              "nrows",
              "na_values",
              "keep_default_na",
              "na_filter",
              "verbose",
              "skip_blank_lines",
              "thousands",
              "decimal",
              "lineterminator",
              "quotechar",
              "quoting",
              "escapechar",
              "comment",
              "encoding",
              "dialect",
              "error_bad_lines",
              "warn_bad_lines",
              "skipfooter",
              "doublequote",
              "memory_map",
              "float_precision",
              "chunksize",
              "features",
              "encoding_errors",
              "on_bad_lines",
              "date_format"),
          "json",
          List.of(
              "name",
              "version",
              "data_dir",
              "data_files",
              "description",
              "features",
              "encoding",
              "encoding_errors",
              "field",
              "use_threads",
              "block_size",
              "chunksize",
              "newlines_in_values",
              "on_mixed_types",
              "parse_agent_traces"),
          "parquet",
          List.of(
              "name",
              "version",
              "data_dir",
              "data_files",
              "description",
              "batch_size",
              "columns",
              "features",
              "filters",
              "fragment_scan_options",
              "on_bad_files"),
          "text",
          List.of(
              "name",
              "version",
              "data_dir",
              "data_files",
              "description",
              "features",
              "encoding",
              "encoding_errors",
              "chunksize",
              "keep_linebreaks",
              "sample_by"));

  static {
    ext(".csv", "csv");
    ext(".tsv", "csv", "sep", "\t");
    ext(".json", "json");
    ext(".jsonl", "json");
    ext(".ndjson", "json");
    ext(".parquet", "parquet");
    ext(".geoparquet", "parquet");
    ext(".gpq", "parquet");
    ext(".arrow", "arrow");
    ext(".txt", "text");
    ext(".conll", "conll");
    ext(".conllu", "conll", "comment_prefix", "#");
    ext(".tar", "webdataset");
    ext(".xml", "xml");
    ext(".hdf5", "hdf5");
    ext(".h5", "hdf5");
    ext(".eval", "eval");
    ext(".lance", "lance");
    ext(".tsfile", "tsfile");
    ext(".blp", "imagefolder");
    ext(".bmp", "imagefolder");
    ext(".dib", "imagefolder");
    ext(".bufr", "imagefolder");
    ext(".cur", "imagefolder");
    ext(".pcx", "imagefolder");
    ext(".dcx", "imagefolder");
    ext(".dds", "imagefolder");
    ext(".ps", "imagefolder");
    ext(".eps", "imagefolder");
    ext(".fit", "imagefolder");
    ext(".fits", "imagefolder");
    ext(".fli", "imagefolder");
    ext(".flc", "imagefolder");
    ext(".ftc", "imagefolder");
    ext(".ftu", "imagefolder");
    ext(".gbr", "imagefolder");
    ext(".gif", "imagefolder");
    ext(".grib", "imagefolder");
    ext(".png", "imagefolder");
    ext(".apng", "imagefolder");
    ext(".jp2", "imagefolder");
    ext(".j2k", "imagefolder");
    ext(".jpc", "imagefolder");
    ext(".jpf", "imagefolder");
    ext(".jpx", "imagefolder");
    ext(".j2c", "imagefolder");
    ext(".icns", "imagefolder");
    ext(".ico", "imagefolder");
    ext(".im", "imagefolder");
    ext(".iim", "imagefolder");
    ext(".tif", "imagefolder");
    ext(".tiff", "imagefolder");
    ext(".jfif", "imagefolder");
    ext(".jpe", "imagefolder");
    ext(".jpg", "imagefolder");
    ext(".jpeg", "imagefolder");
    ext(".mpg", "audiofolder");
    ext(".mpeg", "videofolder");
    ext(".msp", "imagefolder");
    ext(".pcd", "imagefolder");
    ext(".pxr", "imagefolder");
    ext(".pbm", "imagefolder");
    ext(".pgm", "imagefolder");
    ext(".ppm", "imagefolder");
    ext(".pnm", "imagefolder");
    ext(".psd", "imagefolder");
    ext(".bw", "imagefolder");
    ext(".rgb", "imagefolder");
    ext(".rgba", "imagefolder");
    ext(".sgi", "imagefolder");
    ext(".ras", "imagefolder");
    ext(".tga", "imagefolder");
    ext(".icb", "imagefolder");
    ext(".vda", "imagefolder");
    ext(".vst", "imagefolder");
    ext(".webp", "imagefolder");
    ext(".wmf", "imagefolder");
    ext(".emf", "imagefolder");
    ext(".xbm", "imagefolder");
    ext(".xpm", "imagefolder");
    ext(".BLP", "imagefolder");
    ext(".BMP", "imagefolder");
    ext(".DIB", "imagefolder");
    ext(".BUFR", "imagefolder");
    ext(".CUR", "imagefolder");
    ext(".PCX", "imagefolder");
    ext(".DCX", "imagefolder");
    ext(".DDS", "imagefolder");
    ext(".PS", "imagefolder");
    ext(".EPS", "imagefolder");
    ext(".FIT", "imagefolder");
    ext(".FITS", "imagefolder");
    ext(".FLI", "imagefolder");
    ext(".FLC", "imagefolder");
    ext(".FTC", "imagefolder");
    ext(".FTU", "imagefolder");
    ext(".GBR", "imagefolder");
    ext(".GIF", "imagefolder");
    ext(".GRIB", "imagefolder");
    ext(".PNG", "imagefolder");
    ext(".APNG", "imagefolder");
    ext(".JP2", "imagefolder");
    ext(".J2K", "imagefolder");
    ext(".JPC", "imagefolder");
    ext(".JPF", "imagefolder");
    ext(".JPX", "imagefolder");
    ext(".J2C", "imagefolder");
    ext(".ICNS", "imagefolder");
    ext(".ICO", "imagefolder");
    ext(".IM", "imagefolder");
    ext(".IIM", "imagefolder");
    ext(".TIF", "imagefolder");
    ext(".TIFF", "imagefolder");
    ext(".JFIF", "imagefolder");
    ext(".JPE", "imagefolder");
    ext(".JPG", "imagefolder");
    ext(".JPEG", "imagefolder");
    ext(".MPG", "audiofolder");
    ext(".MPEG", "videofolder");
    ext(".MSP", "imagefolder");
    ext(".PCD", "imagefolder");
    ext(".PXR", "imagefolder");
    ext(".PBM", "imagefolder");
    ext(".PGM", "imagefolder");
    ext(".PPM", "imagefolder");
    ext(".PNM", "imagefolder");
    ext(".PSD", "imagefolder");
    ext(".BW", "imagefolder");
    ext(".RGB", "imagefolder");
    ext(".RGBA", "imagefolder");
    ext(".SGI", "imagefolder");
    ext(".RAS", "imagefolder");
    ext(".TGA", "imagefolder");
    ext(".ICB", "imagefolder");
    ext(".VDA", "imagefolder");
    ext(".VST", "imagefolder");
    ext(".WEBP", "imagefolder");
    ext(".WMF", "imagefolder");
    ext(".EMF", "imagefolder");
    ext(".XBM", "imagefolder");
    ext(".XPM", "imagefolder");
    ext(".aiff", "audiofolder");
    ext(".au", "audiofolder");
    ext(".avr", "audiofolder");
    ext(".caf", "audiofolder");
    ext(".flac", "audiofolder");
    ext(".htk", "audiofolder");
    ext(".svx", "audiofolder");
    ext(".mat4", "audiofolder");
    ext(".mat5", "audiofolder");
    ext(".mpc2k", "audiofolder");
    ext(".ogg", "audiofolder");
    ext(".paf", "audiofolder");
    ext(".pvf", "audiofolder");
    ext(".raw", "audiofolder");
    ext(".rf64", "audiofolder");
    ext(".sd2", "audiofolder");
    ext(".sds", "audiofolder");
    ext(".ircam", "audiofolder");
    ext(".voc", "audiofolder");
    ext(".w64", "audiofolder");
    ext(".wav", "audiofolder");
    ext(".nist", "audiofolder");
    ext(".wavex", "audiofolder");
    ext(".wve", "audiofolder");
    ext(".xi", "audiofolder");
    ext(".mp3", "audiofolder");
    ext(".opus", "audiofolder");
    ext(".3gp", "audiofolder");
    ext(".3g2", "audiofolder");
    ext(".avi", "videofolder");
    ext(".asf", "audiofolder");
    ext(".flv", "audiofolder");
    ext(".mp4", "videofolder");
    ext(".mov", "videofolder");
    ext(".m4v", "audiofolder");
    ext(".mkv", "videofolder");
    ext(".webm", "audiofolder");
    ext(".f4v", "audiofolder");
    ext(".wmv", "audiofolder");
    ext(".wma", "audiofolder");
    ext(".ogm", "audiofolder");
    ext(".mxf", "audiofolder");
    ext(".nut", "audiofolder");
    ext(".AIFF", "audiofolder");
    ext(".AU", "audiofolder");
    ext(".AVR", "audiofolder");
    ext(".CAF", "audiofolder");
    ext(".FLAC", "audiofolder");
    ext(".HTK", "audiofolder");
    ext(".SVX", "audiofolder");
    ext(".MAT4", "audiofolder");
    ext(".MAT5", "audiofolder");
    ext(".MPC2K", "audiofolder");
    ext(".OGG", "audiofolder");
    ext(".PAF", "audiofolder");
    ext(".PVF", "audiofolder");
    ext(".RAW", "audiofolder");
    ext(".RF64", "audiofolder");
    ext(".SD2", "audiofolder");
    ext(".SDS", "audiofolder");
    ext(".IRCAM", "audiofolder");
    ext(".VOC", "audiofolder");
    ext(".W64", "audiofolder");
    ext(".WAV", "audiofolder");
    ext(".NIST", "audiofolder");
    ext(".WAVEX", "audiofolder");
    ext(".WVE", "audiofolder");
    ext(".XI", "audiofolder");
    ext(".MP3", "audiofolder");
    ext(".OPUS", "audiofolder");
    ext(".3GP", "audiofolder");
    ext(".3G2", "audiofolder");
    ext(".AVI", "videofolder");
    ext(".ASF", "audiofolder");
    ext(".FLV", "audiofolder");
    ext(".MP4", "videofolder");
    ext(".MOV", "videofolder");
    ext(".M4V", "audiofolder");
    ext(".MKV", "videofolder");
    ext(".WEBM", "audiofolder");
    ext(".F4V", "audiofolder");
    ext(".WMV", "audiofolder");
    ext(".WMA", "audiofolder");
    ext(".OGM", "audiofolder");
    ext(".MXF", "audiofolder");
    ext(".NUT", "audiofolder");
    ext(".glb", "meshfolder");
    ext(".ply", "meshfolder");
    ext(".stl", "meshfolder");
    ext(".GLB", "meshfolder");
    ext(".PLY", "meshfolder");
    ext(".STL", "meshfolder");
    ext(".pdf", "pdffolder");
    ext(".PDF", "pdffolder");
    ext(".nii", "niftifolder");
    ext(".NII", "niftifolder");
    List<String> meta = List.of("metadata.csv", "metadata.jsonl", "metadata.parquet");
    for (String m :
        List.of(
            "imagefolder",
            "audiofolder",
            "videofolder",
            "meshfolder",
            "pdffolder",
            "niftifolder")) {
      METADATA_FILE_NAMES.put(m, meta);
    }
    METADATA_FILE_NAMES.put("lance", List.of("latest_version_hint.json"));
    java.util.HashSet<String> allowed = new java.util.HashSet<>(EXTENSION_TO_BUILDER.keySet());
    allowed.add(".zip");
    METADATA_EXTENSIONS.values().forEach(allowed::addAll);
    ALLOWED_EXTENSIONS = Set.copyOf(allowed);
  }

  private static void ext(String ext, String module, String... kwarg) {
    Map<String, JsonNode> defaults = new LinkedHashMap<>();
    if (kwarg.length == 2) defaults.put(kwarg[0], TextNode.valueOf(kwarg[1]));
    EXTENSION_TO_BUILDER.put(ext, new Builder(module, defaults));
    MODULE_EXTENSIONS.computeIfAbsent(module, k -> new ArrayList<>()).add(ext);
  }

  /**
   * The builder for one split's files: the most common extension among all the names' suffixes
   * (metadata files last), ties to .parquet, .lance, .arrow, .jsonl, .json, .csv, then the
   * extension in reverse code-point order; null when no suffix names a builder.
   */
  static Builder infer(List<String> files) {
    return infer(files, null);
  }

  /** {@code config.ARCHIVES_MAX_NUMBER_FOR_MODULE_INFERENCE}: zips looked into, at most. */
  static final int ARCHIVES_MAX_FOR_INFERENCE = 10;

  /**
   * As {@code infer_module_for_data_files_list}; when {@code .zip} is the leading extension, the
   * builder comes from the zips' members ({@code zips}), as {@code
   * infer_module_for_data_files_list_in_archives} finds it.
   */
  static Builder infer(List<String> files, DataFilesResolver.ArchiveMembers zips) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String f : files) {
      String name = f.substring(f.lastIndexOf('/') + 1);
      boolean metadata = METADATA_FILENAMES.contains(name);
      String[] parts = name.split("\\.", -1);
      for (int i = 1; i < parts.length; i++) {
        counts.merge(
            (metadata ? "1" : "0") + "." + parts[i].toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> order = new ArrayList<>(counts.entrySet());
    List<String> favourites = List.of(".parquet", ".lance", ".arrow", ".jsonl", ".json", ".csv");
    Comparator<Map.Entry<String, Integer>> byKey =
        Comparator.<Map.Entry<String, Integer>>comparingInt(
                e -> e.getKey().charAt(0) == '0' ? 1 : 0)
            .thenComparingInt(Map.Entry::getValue);
    for (String fav : favourites) {
      byKey = byKey.thenComparingInt(e -> e.getKey().substring(1).equals(fav) ? 1 : 0);
    }
    byKey = byKey.thenComparing(e -> e.getKey().substring(1), DataFilesResolver.CODE_POINT_ORDER);
    order.sort(byKey.reversed());
    for (Map.Entry<String, Integer> e : order) {
      String ext = e.getKey().substring(1);
      Builder b = EXTENSION_TO_BUILDER.get(ext);
      if (b != null) return b;
      if (ext.equals(".zip")) return inferInArchives(files, zips);
    }
    return null;
  }

  /**
   * The most common extension among the members of the first ten zips (a tie goes to the one seen
   * first, as Counter.most_common does), if a builder reads it; else none.
   */
  private static Builder inferInArchives(
      List<String> files, DataFilesResolver.ArchiveMembers zips) {
    List<String> archives = files.stream().filter(f -> f.endsWith(".zip")).toList();
    if (zips == null) {
      throw new IllegalArgumentException(
          "the data files are zip archives "
              + archives
              + "; their members decide the format, so resolve with the repo's archive members");
    }
    Map<String, Integer> counts = new LinkedHashMap<>();
    int seen = 0;
    for (String zip : archives) {
      if (++seen > ARCHIVES_MAX_FOR_INFERENCE) break;
      List<String> members;
      try {
        members = zips.members(zip);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      for (String m : members) {
        String name = m.substring(m.lastIndexOf('/') + 1);
        String[] parts = name.split("\\.", -1);
        for (int i = 1; i < parts.length; i++) {
          counts.merge("." + parts[i].toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
      }
    }
    String best = null;
    int most = 0;
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      if (e.getValue() > most) {
        best = e.getKey();
        most = e.getValue();
      }
    }
    return best == null ? null : EXTENSION_TO_BUILDER.get(best);
  }
}
