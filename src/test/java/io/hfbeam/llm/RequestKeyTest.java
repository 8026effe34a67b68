package io.hfbeam.llm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestKeyTest {
  private static final ChatRequest BASE =
      new ChatRequest(
          "gpt-4o-mini",
          List.of(
              ChatMessage.system("You write Q&A pairs."), ChatMessage.user("Topic: é \"tides\"")),
          0.7,
          256,
          42L,
          "{\"type\":\"object\"}");

  @Test
  void canonicalJsonIsFixed() {
    assertThat(
        new String(RequestKey.canonicalJson(BASE, "qa"), StandardCharsets.UTF_8),
        is(
            "{\"v\":1,\"task\":\"qa\",\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"You write Q&A pairs.\"},{\"role\":\"user\",\"content\":\"Topic: é"
                + " \\\"tides\\\"\"}],\"temperature\":0.7,\"max_tokens\":256,\"seed\":42,"
                + "\"schema\":\"{\\\"type\\\":\\\"object\\\"}\"}"));
  }

  @Test
  void keyMatchesAGoldenHexSoItIsStableAcrossJvmsAndRuns() {
    // Golden values (checked against Python: sha256 of json.dumps(separators=(",", ":"),
    // ensure_ascii=False)). Changing it orphans every journal written before; bump "v" on purpose
    // only.
    assertThat(RequestKey.of(BASE, "qa").hex(), is(GOLDEN));
    assertThat(
        RequestKey.of(new ChatRequest("m", List.of(), null, null, null, null), null).hex(),
        is(GOLDEN_NULLS));
  }

  static final String GOLDEN = "8c693afa8d0af2576046f30142e4c0bd5b1c251569ecd546fc18f062278d580c";
  static final String GOLDEN_NULLS =
      "513d6d17fed1d928da5c32104271a83f375fc330f9741058af82abb2e755e81d";

  @Test
  void everythingThatShapesTheAnswerChangesTheKey() {
    Set<RequestKey> keys = new HashSet<>();
    keys.add(RequestKey.of(BASE, "qa"));
    keys.add(RequestKey.of(BASE, "qa2"));
    keys.add(RequestKey.of(BASE, null));
    keys.add(
        RequestKey.of(
            with(BASE, "other", BASE.messages(), 0.7, 256, 42L, BASE.jsonSchema()), "qa"));
    keys.add(
        RequestKey.of(
            with(
                BASE,
                BASE.model(),
                List.of(ChatMessage.user("x")),
                0.7,
                256,
                42L,
                BASE.jsonSchema()),
            "qa"));
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), BASE.messages(), 0.8, 256, 42L, BASE.jsonSchema()), "qa"));
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), BASE.messages(), null, 256, 42L, BASE.jsonSchema()), "qa"));
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), BASE.messages(), 0.7, 255, 42L, BASE.jsonSchema()), "qa"));
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), BASE.messages(), 0.7, 256, 43L, BASE.jsonSchema()), "qa"));
    keys.add(RequestKey.of(with(BASE, BASE.model(), BASE.messages(), 0.7, 256, 42L, null), "qa"));
    // role vs content boundaries must not collide
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), List.of(new ChatMessage("user", "ab")), 0.7, 256, 42L, null),
            "qa"));
    keys.add(
        RequestKey.of(
            with(BASE, BASE.model(), List.of(new ChatMessage("usera", "b")), 0.7, 256, 42L, null),
            "qa"));
    assertThat(keys.size(), is(12));
    assertThat(
        RequestKey.of(BASE, "qa"),
        is(
            RequestKey.of(
                with(
                    BASE,
                    "gpt-4o-mini",
                    List.copyOf(BASE.messages()),
                    0.7,
                    256,
                    42L,
                    "{\"type\":\"object\"}"),
                "qa")));
  }

  private static ChatRequest with(
      ChatRequest base,
      String model,
      List<ChatMessage> m,
      Double t,
      Integer max,
      Long seed,
      String s) {
    return new ChatRequest(model, m, t, max, seed, s);
  }

  @Test
  void hexRoundTripsAndBadHexIsOneLine() {
    RequestKey k = RequestKey.of(BASE, "qa");
    assertThat(RequestKey.ofHex(k.hex()), is(k));
    assertThat(k.toString(), is(k.hex()));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RequestKey.ofHex("zz".repeat(32)));
    assertThat(e.getMessage(), containsString("64 hex digits"));
    assertThat(e.getMessage(), not(containsString("\n")));
    assertThrows(IllegalArgumentException.class, () -> RequestKey.ofHex("ab"));
  }
}
