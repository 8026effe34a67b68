package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.Audio;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Image;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Translation;
import io.hfbeam.hf.Feature.TranslationVariableLanguages;
import io.hfbeam.hf.Feature.Value;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.junit.jupiter.api.Test;

/** Image, Audio, Translation in every form, and the Beam schema options that make it exact. */
class EncodedFeaturesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One field of every feature kind hf-beam models, nested ones included. */
  static Features everyKind() {
    LinkedHashMap<String, Feature> inner = new LinkedHashMap<>();
    inner.put("label", new ClassLabel(List.of("x", "y")));
    inner.put("u", new Value("uint32"));
    inner.put("pic", new Image());
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    for (String d :
        List.of(
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
            "timestamp[ns]")) {
      f.put("v_" + d.replaceAll("\\W", "_"), new Value(d));
    }
    f.put("label", new ClassLabel(List.of("neg", "pos", "a, b")));
    f.put("tags", new Sequence(new Value("string")));
    f.put("xyz", new Sequence(new Value("float32"), 3));
    f.put("u8s", new Sequence(new Value("uint8")));
    f.put("labels", new Sequence(new ClassLabel(List.of("p", "q"))));
    f.put("grid", new ArrayND(Arrays.asList(null, 3), "uint8"));
    f.put("cube", new ArrayND(List.of(2, 3, 4), "float32"));
    f.put("a5", new ArrayND(List.of(1, 1, 1, 1, 2), "int64"));
    f.put("image", new Image());
    f.put("gray", new Image("L", false));
    f.put("audio", new Audio());
    f.put("speech", new Audio(16000, false, 1, 0));
    f.put("tr", new Translation(List.of("fr", "en")));
    f.put("trv", new TranslationVariableLanguages(List.of("en", "de", "en")));
    f.put("trany", new TranslationVariableLanguages(List.of()));
    f.put("json", new Feature.Json());
    f.put("rawjson", new Feature.Json(false));
    f.put("jsons", new Sequence(new Feature.Json()));
    f.put("inner", new Struct(inner));
    f.put("items", new Sequence(new Struct(inner)));
    f.put("fixed_items", new Sequence(new Struct(inner), 2));
    f.put("images", new Sequence(new Image()));
    return Features.of(f);
  }

  @Test
  void jsonFormIsDatasetsAsdictWithoutDefaults() {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("a", new Image());
    f.put("b", new Image("RGB", false));
    f.put("c", new Audio());
    f.put("d", new Audio(16000, true, 2, null));
    f.put("e", new Translation(List.of("fr", "en")));
    f.put("g", new TranslationVariableLanguages(List.of("fr", "en")));
    f.put("h", new TranslationVariableLanguages(List.of()));
    assertThat(
        Features.of(f).toJson(),
        equalTo(
            "{\"a\": {\"_type\": \"Image\"}, \"b\": {\"mode\": \"RGB\", \"decode\": false, \"_type\":"
                + " \"Image\"}, \"c\": {\"_type\": \"Audio\"}, \"d\": {\"sampling_rate\": 16000,"
                + " \"num_channels\": 2, \"_type\": \"Audio\"}, \"e\": {\"languages\": [\"fr\","
                + " \"en\"], \"_type\": \"Translation\"}, \"g\": {\"languages\": [\"en\", \"fr\"],"
                + " \"num_languages\": 2, \"_type\": \"TranslationVariableLanguages\"}, \"h\":"
                + " {\"_type\": \"TranslationVariableLanguages\"}}"));
    assertThat(Features.fromJson(Features.of(f).toJson()), equalTo(Features.of(f)));
  }

  @Test
  void yamlFormIsWhatDatasets5WritesAndReadsBack() throws Exception {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("a", new Image());
    f.put("b", new Image(null, false));
    f.put("c", new Audio(16000, true, null, null));
    f.put("d", new Sequence(new Image()));
    f.put("e", new Translation(List.of("en")));
    String yaml = YAML.writeValueAsString(Features.of(f).toYamlList());
    assertThat(
        yaml,
        equalTo(
            """
            ---
            - name: "a"
              dtype: "image"
            - name: "b"
              dtype:
                image:
                  decode: false
            - name: "c"
              dtype:
                audio:
                  sampling_rate: 16000
            - name: "d"
              list: "image"
            - name: "e"
              dtype:
                translation:
                  languages:
                  - "en"
            """));
    assertThat(Features.parse(YAML.readTree(yaml)), equalTo(Features.of(f)));
    // datasets simplifies a list of a bare type word as "list: image"
    assertThat(
        Features.parse(YAML.readTree("- name: d\n  list: image\n")).get("d"),
        equalTo(new Sequence(new Image())));
  }

  @Test
  void everyFormRoundTripsEveryKind() throws Exception {
    Features all = everyKind();
    assertThat(Features.fromJson(all.toJson()), equalTo(all));
    assertThat(Features.parse(YAML.readTree(YAML.writeValueAsString(all.toYamlList()))), is(all));
    assertThat(Features.parse(YAML.readTree(all.toFeaturesFile())), equalTo(all));
    assertThat(Features.typeText(new Image()), equalTo("image"));
    assertThat(Features.typeText(new Audio()), equalTo("audio"));
    assertThat(Features.typeText(new Feature.Json()), equalTo("json"));
    assertThat(
        Features.of(new LinkedHashMap<>(java.util.Map.of("j", new Feature.Json())))
            .parquetSchema()
            .toString(),
        equalTo("message schema {\n  optional binary j (JSON);\n}\n"));
  }

  @Test
  void imageAndAudioAreTheirBytesAndPathStructInBeamAndParquet() {
    Features f = Features.fromJson("{\"img\": \"image\", \"snd\": {\"_type\": \"Audio\"}}");
    Schema storage =
        Schema.builder()
            .addNullableField("bytes", FieldType.BYTES)
            .addNullableField("path", FieldType.STRING)
            .build();
    for (String name : List.of("img", "snd")) {
      FieldType t = f.beamSchema().getField(name).getType();
      assertThat(t.getTypeName(), is(Schema.TypeName.ROW));
      assertThat(t.getRowSchema(), equalTo(storage));
    }
    assertThat(
        f.parquetSchema().toString(),
        equalTo(
            "message schema {\n"
                + "  optional group img {\n    optional binary bytes;\n"
                + "    optional binary path (STRING);\n  }\n"
                + "  optional group snd {\n    optional binary bytes;\n"
                + "    optional binary path (STRING);\n  }\n}\n"));
  }

  @Test
  void beamSchemaCarriesOptionsAndRebuildsEveryKindExactly() {
    Features all = everyKind();
    Schema s = all.beamSchema();
    assertThat(Features.fromBeamSchema(s), equalTo(all));

    Field label = s.getField("label");
    assertThat(
        label.getOptions().getValue(BeamMapping.CLASS_LABEL_NAMES),
        equalTo(List.of("neg", "pos", "a, b")));
    assertThat(s.getField("v_uint8").getOptions().getValue(BeamMapping.DTYPE), equalTo("uint8"));
    assertThat(
        s.getField("v_timestamp_s_").getOptions().getValue(BeamMapping.DTYPE),
        equalTo("timestamp[s]"));
    // MicrosInstant/NanosInstant say the unit by themselves: no options
    assertThat(s.getField("v_timestamp_us_").getOptions().hasOptions(), is(false));
    assertThat(s.getField("v_timestamp_ns_").getOptions().hasOptions(), is(false));
    assertThat(s.getField("xyz").getOptions().getValue(BeamMapping.LENGTH), equalTo(3));
    assertThat(
        s.getField("grid").getOptions().getValue(BeamMapping.SHAPE),
        equalTo(Arrays.asList(null, 3)));
    assertThat(s.getField("grid").getOptions().getValue(BeamMapping.DTYPE), equalTo("uint8"));
    assertThat(
        s.getField("image").getOptions().getValue(BeamMapping.FEATURE),
        equalTo("{\"_type\":\"Image\"}"));
    // what the Beam type says alone carries nothing; a struct's fields carry their own
    assertThat(s.getField("v_int16").getOptions().getOptionNames().isEmpty(), is(true));
    assertThat(s.getField("tags").getOptions().getOptionNames().isEmpty(), is(true));
    assertThat(s.getField("inner").getOptions().getOptionNames().isEmpty(), is(true));
    assertThat(
        s.getField("inner")
            .getType()
            .getRowSchema()
            .getField("label")
            .getOptions()
            .getValue(BeamMapping.CLASS_LABEL_NAMES),
        equalTo(List.of("x", "y")));
    // a list of structs needs no option of its own: the element's fields carry theirs
    assertThat(s.getField("items").getOptions().getOptionNames().isEmpty(), is(true));
    assertThat(s.getField("fixed_items").getOptions().hasOption(BeamMapping.LENGTH), is(true));
  }

  @Test
  void optionsSurviveTheSchemaProtoAndJavaSerialization() throws Exception {
    // runners translate schemas to protos (portable) or serialize them (SchemaCoder)
    Features all = everyKind();
    Schema s = all.beamSchema();
    Schema viaProto =
        org.apache.beam.sdk.schemas.SchemaTranslation.schemaFromProto(
            org.apache.beam.sdk.schemas.SchemaTranslation.schemaToProto(s, true));
    assertThat(Features.fromBeamSchema(viaProto), equalTo(all));
    Schema viaJava =
        org.apache.beam.sdk.util.SerializableUtils.clone(
                org.apache.beam.sdk.schemas.SchemaCoder.of(s))
            .getSchema();
    assertThat(Features.fromBeamSchema(viaJava), equalTo(all));
  }

  @Test
  void aSchemaWithoutOptionsStillMapsAndAnOptionThatLiesFails() {
    Schema plain =
        Schema.builder()
            .addNullableField("n", FieldType.INT64)
            .addNullableField("s", FieldType.array(FieldType.STRING))
            .build();
    assertThat(
        Features.fromBeamSchema(plain).toJson(),
        equalTo(
            "{\"n\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"s\": {\"feature\": {\"dtype\":"
                + " \"string\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}"));

    Schema lying =
        Schema.builder()
            .addField(
                Field.nullable("img", FieldType.STRING)
                    .withOptions(
                        Schema.Options.builder()
                            .setOption(
                                BeamMapping.FEATURE, FieldType.STRING, "{\"_type\": \"Image\"}")))
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Features.fromBeamSchema(lying));
    assertThat(
        e.getMessage(),
        equalTo(
            "field 'img': option hf:feature says image (Beam ROW) but the field is Beam STRING"));

    Schema garbage =
        Schema.builder()
            .addField(
                Field.nullable("x", FieldType.INT64)
                    .withOptions(
                        Schema.Options.builder()
                            .setOption(
                                BeamMapping.FEATURE, FieldType.STRING, "{\"_type\": \"Nope\"}")))
            .build();
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> Features.fromBeamSchema(garbage))
            .getMessage(),
        containsString("field 'x': option hf:feature is no feature (feature 'x': unsupported"));
  }

  @Test
  void badEncodedFeaturesNameTheField() {
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.fromJson("{\"a\": {\"_type\": \"Image\", \"decode\": \"yes\"}}"))
            .getMessage(),
        equalTo("feature 'a': decode must be true or false, got \"yes\""));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.fromJson("{\"a\": {\"_type\": \"Audio\", \"num_channels\": 3}}"))
            .getMessage(),
        equalTo("feature 'a': Audio num_channels must be 1 or 2 (or unset), got 3"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.fromJson("{\"a\": {\"_type\": \"Translation\"}}"))
            .getMessage(),
        containsString("feature 'a': missing 'languages'"));
  }
}
