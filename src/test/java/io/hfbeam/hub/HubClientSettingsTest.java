package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HubClientSettingsTest {
  @Test
  void settingsSurviveJavaSerializationWithoutAnyToken() throws Exception {
    HubClient.Settings settings =
        HubClient.Settings.builder()
            .endpoint("http://127.0.0.1:9/")
            .retry(RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(100)))
            .build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(settings);
    }
    assertThat(
        new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1).contains("hf_"), is(false));
    HubClient.Settings back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (HubClient.Settings) in.readObject();
    }
    assertThat(back.newClient().endpoint(), is("http://127.0.0.1:9"));
  }
}
