package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.LlamaModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schema check in front of llama.cpp's converter, which ends the process on what it does not
 * understand: every schema refused here aborted it (or would), every accepted one converts.
 */
class GrammarSchemaTest {
  static final List<String> ACCEPTED =
      List.of(
          "{\"type\":\"string\",\"format\":\"weird\"}",
          "{\"type\":\"object\"}",
          "{}",
          "{\"enum\":[1,\"a\",null,{\"x\":1},[1]]}",
          "{\"const\":{\"a\":[1,2]}}",
          "{\"type\":[\"string\",\"null\"]}",
          "{\"type\":\"array\",\"items\":{\"type\":\"integer\",\"minimum\":-5,\"maximum\":5},\"minItems\":1,\"maxItems\":3}",
          "{\"type\":\"array\",\"prefixItems\":[{\"type\":\"string\"},{\"type\":\"number\"}]}",
          "{\"type\":\"integer\",\"minimum\":10,\"maximum\":2}",
          "{\"type\":\"string\",\"minLength\":3,\"maxLength\":3,\"format\":\"date\"}",
          "{\"type\":\"string\",\"format\":\"date-time\"}",
          "{\"type\":\"string\",\"format\":\"uuid\"}",
          "{\"type\":\"string\",\"format\":\"time\"}",
          "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}",
          "{\"oneOf\":[{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}},{\"const\":3}]}",
          "{\"anyOf\":[{}]}",
          "{\"$defs\":{\"A\":{\"type\":\"object\",\"properties\":{\"next\":{\"$ref\":\"#/$defs/A\"}}}},\"$ref\":\"#/$defs/A\"}",
          "{\"$defs\":{\"A\":{\"$ref\":\"#/$defs/A\"}},\"$ref\":\"#/$defs/A\"}",
          "{\"$defs\":{\"A\":{\"$ref\":\"#/$defs/B\"},\"B\":{\"$ref\":\"#/$defs/A\"}},\"$ref\":\"#/$defs/A\"}",
          "{\"definitions\":{\"A\":{\"type\":\"string\"}},\"type\":\"object\",\"properties\":{\"x\":{\"$ref\":\"#/definitions/A\"}},\"required\":[\"x\",\"y\",\"z\"]}",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":{\"type\":\"integer\"}}",
          "{\"type\":\"object\",\"additionalProperties\":false}",
          "{\"type\":\"object\",\"properties\":{},\"required\":[\"ghost\"],\"additionalProperties\":false}",
          "{\"type\":\"object\",\"properties\":{\"\":{\"type\":\"string\"},\"a\\\"b\\\\c\":{\"type\":\"null\"},\"\\u0000\":{\"type\":\"boolean\"}},\"required\":[\"\",\"a\\\"b\\\\c\"]}",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"properties\":{\"b\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"null\"}]}}}}}}",
          "{\"type\":\"boolean\",\"enum\":[true]}",
          "{\"type\":\"string\",\"enum\":[\"a\"],\"const\":\"b\"}",
          "{\"type\":\"object\",\"minItems\":2}",
          "{\"type\":\"integer\",\"minimum\":-9223372036854775808,\"maximum\":9223372036854775807}",
          "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":2147483647}",
          "{\"type\":\"string\",\"maxLength\":2147483647}",
          "{\"additionalProperties\":{\"type\":\"string\"},\"type\":\"object\"}",
          "{\"properties\":{\"a\":{\"type\":\"string\"}}}",
          "{\"items\":{\"type\":\"string\"}}",
          "{\"type\":\"object\",\"properties\":{\"a\":{}}}",
          "{\"type\":\"number\",\"minimum\":1,\"maximum\":2}",
          "{\"type\":\"string\",\"format\":\"date\",\"minLength\":2}",
          "{\"type\":[\"object\",\"null\"],\"properties\":{\"a\":{\"type\":\"string\"}}}",
          "{\"type\":[\"array\",\"string\"],\"items\":{\"type\":\"string\"}}",
          "{\"anyOf\":[{\"type\":\"string\"},{\"$ref\":\"#/$defs/X\"}],\"$defs\":{\"X\":{\"type\":\"integer\"}}}",
          "{\"type\":\"number\",\"minimum\":0,\"maximum\":10}",
          "{\"type\":\"number\",\"exclusiveMinimum\":-3}");

  static final List<String> REFUSED =
      List.of(
          "{\"type\":\"nonsense\"}",
          "{\"$ref\":\"http://x/y\"}",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"((((\"}}}",
          "{\"type\":\"integer\",\"minimum\":\"x\"}",
          "{\"description\":\"only words\"}",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/defs/missing\"}}}",
          "{\"enum\":[]}",
          "{\"type\":[]}",
          "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":-1}",
          "{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":3,\"maxItems\":1}",
          "{\"type\":\"integer\",\"exclusiveMinimum\":1.5,\"exclusiveMaximum\":7.2}",
          "{\"type\":\"number\",\"minimum\":1e300}",
          "{\"type\":\"string\",\"minLength\":5,\"maxLength\":2}",
          "{\"type\":\"integer\",\"minimum\":1e40}",
          "{\"type\":\"array\",\"items\":false}",
          "{\"type\":\"object\",\"properties\":{\"a\":true}}",
          "{\"minLength\":3}",
          "{\"format\":\"date\"}",
          "{\"additionalProperties\":true}",
          "{\"type\":\"object\",\"properties\":{\"a\":{\"description\":\"x\"}}}",
          "{\"type\":\"integer\",\"minimum\":5.5,\"maximum\":5.2}",
          "{\"type\":\"integer\",\"minimum\":1e15}",
          "{\"type\":\"integer\",\"minimum\":1e14,\"maximum\":1e14}",
          "not json",
          "[1]",
          "{\"type\":\"object\",\"allOf\":[{\"type\":\"string\"}]}");

  @Test
  void acceptedSchemasConvert() {
    // a crash here ends the test JVM: the build fails loudly
    for (String s : ACCEPTED) {
      String grammar = LlamaModel.jsonSchemaToGrammar(GrammarSchema.check(s));
      assertTrue(grammar.contains("root ::="), s);
    }
  }

  @Test
  void refusedSchemasAreOneLine() {
    for (String s : REFUSED) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> GrammarSchema.check(s), s);
      assertTrue(
          e.getMessage().startsWith("the JSON schema")
              || e.getMessage().startsWith("JSON schema at #"),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
  }
}
