package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.schemas.logicaltypes.NanosInstant;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class FeaturesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Features sample() {
    LinkedHashMap<String, Feature> meta = new LinkedHashMap<>();
    meta.put("ok", new Value("bool"));
    meta.put("tags", new Sequence(new Value("string")));
    LinkedHashMap<String, Feature> item = new LinkedHashMap<>();
    item.put("x", new Value("int32"));
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("a", new Value("int8"));
    f.put("tags", new Sequence(new Value("string")));
    f.put("xyz", new Sequence(new Value("float32"), 3));
    f.put("label", new ClassLabel(List.of("neg", "pos")));
    f.put("grid", new ArrayND(Arrays.asList(null, 3), "int8"));
    f.put("items", new Sequence(new Struct(item)));
    f.put("meta", new Struct(meta));
    return Features.of(f);
  }

  @Test
  void toJsonIsTheDatasetsDictWithSequenceAndArrayForms() {
    assertThat(
        sample().toJson(),
        equalTo(
            "{\"a\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, "
                + "\"tags\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}, "
                + "\"xyz\": {\"feature\": {\"dtype\": \"float32\", \"_type\": \"Value\"}, \"length\": 3, \"_type\": \"Sequence\"}, "
                + "\"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}, "
                + "\"grid\": {\"shape\": [null, 3], \"dtype\": \"int8\", \"_type\": \"Array2D\"}, "
                + "\"items\": [{\"x\": {\"dtype\": \"int32\", \"_type\": \"Value\"}}], "
                + "\"meta\": {\"ok\": {\"dtype\": \"bool\", \"_type\": \"Value\"}, "
                + "\"tags\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}}"));
  }

  @Test
  void jsonRoundTripKeepsEverythingInOrder() {
    Features f = sample();
    Features back = Features.fromJson(f.toJson());
    assertThat(back, equalTo(f));
    assertThat(
        back.names(), equalTo(List.of("a", "tags", "xyz", "label", "grid", "items", "meta")));
  }

  @Test
  void huggingfaceMetadataWrapsFeaturesInInfo() throws Exception {
    JsonNode n = new ObjectMapper().readTree(sample().huggingfaceMetadata());
    assertThat(Features.parse(n.get("info").get("features")), equalTo(sample()));
  }

  @Test
  void readsWhatDatasets5Writes() {
    // Features.to_dict() output of datasets 5.0.1 (List, nested List, Array2D, ClassLabel, dict,
    // List of dict).
    String json =
        "{\"id\": {\"dtype\": \"int64\", \"_type\": \"Value\"},"
            + " \"toks\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"List\"},"
            + " \"fixed\": {\"feature\": {\"dtype\": \"float32\", \"_type\": \"Value\"}, \"length\": 3, \"_type\": \"List\"},"
            + " \"big\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"LargeList\"},"
            + " \"nested\": {\"feature\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"_type\": \"List\"}, \"_type\": \"List\"},"
            + " \"grid\": {\"shape\": [2, 3], \"dtype\": \"int8\", \"_type\": \"Array2D\"},"
            + " \"cube\": {\"shape\": [null, 2, 2], \"dtype\": \"float\", \"_type\": \"Array3D\"},"
            + " \"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"},"
            + " \"st\": {\"a\": {\"dtype\": \"bool\", \"_type\": \"Value\"}},"
            + " \"rows\": {\"feature\": {\"a\": {\"dtype\": \"bool\", \"_type\": \"Value\"}}, \"_type\": \"List\"},"
            + " \"old\": [{\"dtype\": \"int16\", \"_type\": \"Value\"}]}";
    Features f = Features.fromJson(json);
    assertThat(f.get("toks"), equalTo(new Sequence(new Value("int8"))));
    assertThat(f.get("fixed"), equalTo(new Sequence(new Value("float32"), 3)));
    assertThat(f.get("big"), equalTo(new Sequence(new Value("string"))));
    assertThat(f.get("nested"), equalTo(new Sequence(new Sequence(new Value("int8")))));
    assertThat(f.get("grid"), equalTo(new ArrayND(List.of(2, 3), "int8")));
    assertThat(f.get("cube"), equalTo(new ArrayND(Arrays.asList(null, 2, 2), "float32")));
    assertThat(f.get("label"), equalTo(new ClassLabel(List.of("neg", "pos"))));
    assertThat(f.get("st"), equalTo(new Struct(map("a", new Value("bool")))));
    assertThat(f.get("rows"), equalTo(new Sequence(new Struct(map("a", new Value("bool"))))));
    assertThat(f.get("old"), equalTo(new Sequence(new Value("int16"))));
  }

  @Test
  void legacySequenceOverDictIsADictOfLists() {
    // datasets (all versions): Sequence({"a": ...}) means {"a": List(...)}.
    Features f =
        Features.fromJson(
            "{\"s\": {\"feature\": {\"a\": {\"dtype\": \"int8\", \"_type\": \"Value\"}},"
                + " \"_type\": \"Sequence\"}}");
    assertThat(f.get("s"), equalTo(new Struct(map("a", new Sequence(new Value("int8"))))));
  }

  @Test
  void yamlListIsWhatDatasets5WritesAndRoundTrips() throws Exception {
    String yaml = YAML.writeValueAsString(sample().toYamlList());
    assertThat(
        yaml,
        equalTo(
            """
        ---
        - name: "a"
          dtype: "int8"
        - name: "tags"
          list: "string"
        - name: "xyz"
          list: "float32"
          length: 3
        - name: "label"
          dtype:
            class_label:
              names:
                "0": "neg"
                "1": "pos"
        - name: "grid"
          dtype:
            array2_d:
              shape:
              - null
              - 3
              dtype: "int8"
        - name: "items"
          list:
          - name: "x"
            dtype: "int32"
        - name: "meta"
          struct:
          - name: "ok"
            dtype: "bool"
          - name: "tags"
            list: "string"
        """));
    assertThat(Features.parse(YAML.readTree(yaml)), equalTo(sample()));
  }

  @Test
  void readsTheReadmeExampleIncludingLegacySequence() throws Exception {
    String readme =
        """
        - name: label
          dtype:
            class_label:
              names:
                '1': pos
                '0': neg
        - name: nested
          list:
            list: int8
        - name: old
          sequence: int32
        - name: oldfixed
          sequence:
            dtype: float32
          length: 2
        - name: st
          struct:
          - name: b
            list: string
        """;
    Features f = Features.parse(YAML.readTree(readme));
    assertThat(f.get("label"), equalTo(new ClassLabel(List.of("neg", "pos"))));
    assertThat(f.get("nested"), equalTo(new Sequence(new Sequence(new Value("int8")))));
    assertThat(f.get("old"), equalTo(new Sequence(new Value("int32"))));
    assertThat(f.get("oldfixed"), equalTo(new Sequence(new Value("float32"), 2)));
    assertThat(f.get("st"), equalTo(new Struct(map("b", new Sequence(new Value("string"))))));
  }

  /** datasets 5's push_to_hub writes a list's label or array type without the dtype key. */
  @Test
  void readsListsOfLabelsAndArraysAsPushToHubWritesThem() throws Exception {
    Features f =
        Features.parse(
            YAML.readTree(
                """
        - name: tags
          list:
            class_label:
              names:
                '0': a
                '1': b
        - name: grids
          list:
            array2_d:
              shape: [2, 3]
              dtype: int16
        """));
    assertThat(f.get("tags"), equalTo(new Sequence(new ClassLabel(List.of("a", "b")))));
    assertThat(f.get("grids"), equalTo(new Sequence(new ArrayND(Arrays.asList(2, 3), "int16"))));
  }

  @Test
  void shorthandForHumans() throws Exception {
    Features f =
        Features.parse(
            YAML.readTree(
                """
        name: int8
        tags: list<string>
        xyz: list<float32>[3]
        deep: list<list<double>>
        window: array2d<int8>(10,69)
        dyn: array3d<uint8>(None, 2, 2)
        label: class_label(neg, pos)
        meta:
          a: float
          b: list<int16>
        """));
    assertThat(f.get("name"), equalTo(new Value("int8")));
    assertThat(f.get("tags"), equalTo(new Sequence(new Value("string"))));
    assertThat(f.get("xyz"), equalTo(new Sequence(new Value("float32"), 3)));
    assertThat(f.get("deep"), equalTo(new Sequence(new Sequence(new Value("float64")))));
    assertThat(f.get("window"), equalTo(new ArrayND(List.of(10, 69), "int8")));
    assertThat(f.get("dyn"), equalTo(new ArrayND(Arrays.asList(null, 2, 2), "uint8")));
    assertThat(f.get("label"), equalTo(new ClassLabel(List.of("neg", "pos"))));
    assertThat(
        f.get("meta"),
        equalTo(new Struct(map("a", new Value("float32"), "b", new Sequence(new Value("int16"))))));
  }

  @Test
  void badInputNamesTheField() throws Exception {
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(YAML.readTree("meta:\n  score: float128\n")))
            .getMessage(),
        containsString("feature 'meta.score': unsupported dtype 'float128'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(YAML.readTree("w: array2d<int8>(10)\n")))
            .getMessage(),
        containsString("feature 'w': array2d needs 2 dimensions"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.fromJson("{\"clip\": {\"_type\": \"Video\"}}"))
            .getMessage(),
        containsString("feature 'clip': unsupported feature _type 'Video'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    Features.parse(
                        YAML.readTree(
                            "- name: x\n  dtype:\n    class_label:\n      names: {'0': a, '2': c}\n")))
            .getMessage(),
        containsString("feature 'x': class_label names must have ids 0..1, missing '1'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(YAML.readTree("- dtype: int8\n")))
            .getMessage(),
        containsString("every list entry needs a 'name'"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> new ArrayND(List.of(2, -1), "int8"))
            .getMessage(),
        containsString("only the first ArrayND dimension may be dynamic"));
  }

  @Test
  void beamSchemaFollowsTheDocumentedTableAndInverts() {
    Features f =
        Features.fromJson(
            "{\"i8\": \"int8\", \"i16\": \"int16\", \"u8\": \"uint8\", \"u16\": \"uint16\","
                + " \"u32\": \"uint32\", \"u64\": \"uint64\", \"f16\": \"float16\", \"f64\": \"float64\","
                + " \"ts\": \"timestamp[us]\", \"lab\": \"class_label(a,b)\", \"bin\": \"binary\","
                + " \"grid\": \"array2d<int8>(2,3)\", \"st\": {\"s\": \"string\"}}");
    Schema s = f.beamSchema();
    assertThat(s.getField("i8").getType(), equalTo(FieldType.BYTE.withNullable(true)));
    assertThat(s.getField("i16").getType(), equalTo(FieldType.INT16.withNullable(true)));
    assertThat(s.getField("u8").getType(), equalTo(FieldType.INT16.withNullable(true)));
    assertThat(s.getField("u16").getType(), equalTo(FieldType.INT32.withNullable(true)));
    assertThat(s.getField("u32").getType(), equalTo(FieldType.INT64.withNullable(true)));
    assertThat(s.getField("u64").getType(), equalTo(FieldType.INT64.withNullable(true)));
    assertThat(s.getField("f16").getType(), equalTo(FieldType.FLOAT.withNullable(true)));
    assertThat(s.getField("f64").getType(), equalTo(FieldType.DOUBLE.withNullable(true)));
    assertThat(
        s.getField("ts").getType(),
        equalTo(FieldType.logicalType(new MicrosInstant()).withNullable(true)));
    assertThat(s.getField("lab").getType(), equalTo(FieldType.INT64.withNullable(true)));
    assertThat(s.getField("bin").getType(), equalTo(FieldType.BYTES.withNullable(true)));
    assertThat(
        s.getField("grid").getType(),
        equalTo(
            FieldType.array(FieldType.array(FieldType.BYTE.withNullable(true)).withNullable(true))
                .withNullable(true)));
    assertThat(
        s.getField("st").getType().getRowSchema().getField("s").getType(),
        equalTo(FieldType.STRING.withNullable(true)));

    Features natural =
        Features.fromJson(
            "{\"a\": \"int8\", \"b\": \"int16\", \"c\": \"int32\", \"d\": \"int64\","
                + " \"e\": \"float32\", \"f\": \"float64\", \"g\": \"bool\", \"h\": \"string\", \"i\": \"binary\","
                + " \"j\": \"timestamp[ms]\", \"k\": \"list<list<int8>>\", \"l\": {\"m\": \"list<string>\"},"
                + " \"n\": \"timestamp[us]\", \"o\": \"timestamp[ns]\"}");
    assertThat(Features.fromBeamSchema(natural.beamSchema()), equalTo(natural));
  }

  @Test
  void parquetSchemaIsOptionalEverywhereWithThreeLevelLists() {
    Features f =
        Features.fromJson(
            "{\"a\": \"int8\", \"u\": \"uint32\", \"t\": \"timestamp[us]\","
                + " \"tags\": \"list<string>\", \"st\": {\"x\": \"uint64\"}}");
    assertThat(
        f.parquetSchema().toString().replaceAll("\\s+", " ").trim(),
        equalTo(
            "message schema { optional int32 a (INTEGER(8,true)); optional int32 u (INTEGER(32,false));"
                + " optional int64 t (TIMESTAMP(MICROS,false));"
                + " optional group tags (LIST) { repeated group list { optional binary element (STRING); } }"
                + " optional group st { optional int64 x (INTEGER(64,false)); } }"));
  }

  /** datasets keeps Arrow's zone ({@code timestamp[us, tz=UTC]}); Parquet marks it an instant. */
  @Test
  void zonedTimestampsParseAndAreInstantsInParquet() {
    Features f =
        Features.fromJson(
            "{\"t\": {\"dtype\": \"timestamp[us, tz=UTC]\", \"_type\": \"Value\"},"
                + " \"p\": {\"dtype\": \"timestamp[ns, tz=Europe/Paris]\", \"_type\": \"Value\"}}");
    Value t = (Value) f.get("t");
    assertThat(t.timestampUnit(), is("us"));
    assertThat(t.timeZone().orElseThrow(), is("UTC"));
    assertThat(((Value) f.get("p")).timeZone().orElseThrow(), is("Europe/Paris"));
    assertThat(new Value("timestamp[ms]").timeZone().isPresent(), is(false));
    // the zone is kept in the hf:feature option; the Beam type is the unit's
    assertThat(
        f.beamSchema().getField("t").getType().getLogicalType().getIdentifier(),
        is(MicrosInstant.IDENTIFIER));
    assertThat(
        f.beamSchema().getField("p").getType().getLogicalType().getIdentifier(),
        is(NanosInstant.IDENTIFIER));
    assertThat(Features.fromBeamSchema(f.beamSchema()), equalTo(f));
    assertThat(
        f.parquetSchema().toString().replaceAll("\\s+", " ").trim(),
        equalTo(
            "message schema { optional int64 t (TIMESTAMP(MICROS,true));"
                + " optional int64 p (TIMESTAMP(NANOS,true)); }"));
    assertThat(Features.fromJson(f.toJson()), equalTo(f));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Value("timestamp[us, tz=]"));
    assertThat(e.getMessage(), containsString("or timestamp[unit, tz=ZONE]"));
    assertThrows(IllegalArgumentException.class, () -> new Value("timestamp[h, tz=UTC]"));
  }

  @Test
  void arrowBytesCountsWidthsOffsetsAndValidity() {
    Features f = Features.fromJson("{\"a\": \"int8\", \"s\": \"string\", \"l\": \"list<int64>\"}");
    Row row = Row.withSchema(f.beamSchema()).addValues((byte) 1, "hé", List.of(1L, 2L)).build();
    // a: 1 + 8 bits; s: 1 + 32 (offset) + 24 ("hé" is 3 UTF-8 bytes); l: 1 + 32 + 2 * (1 + 64) =
    // 229 bits -> 29 bytes
    assertThat(f.arrowBytes(row), is(29L));
  }

  private static LinkedHashMap<String, Feature> map(Object... kv) {
    LinkedHashMap<String, Feature> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Feature) kv[i + 1]);
    return m;
  }
}
