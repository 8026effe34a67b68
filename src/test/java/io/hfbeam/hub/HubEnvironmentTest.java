package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubEnvironmentTest {
  @TempDir Path tmp;

  @Test
  void tokenPrecedenceIsEnvThenLegacyEnvThenTokenPathThenHfHome() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home);
    Files.writeString(home.resolve("token"), "hf_" + "fromhomexxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    Path custom = tmp.resolve("custom-token");
    Files.writeString(custom, " hf_" + "frompathxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");

    assertThat(
        new HubEnvironment(Map.of("HF_HOME", home.toString())).token(),
        is(Optional.of("hf_" + "fromhomexxxxxxxxxxxxxxxxxxxxxxxxxx")));
    assertThat(
        new HubEnvironment(Map.of("HF_HOME", home.toString(), "HF_TOKEN_PATH", custom.toString()))
            .token(),
        is(Optional.of("hf_" + "frompathxxxxxxxxxxxxxxxxxxxxxxxxxx")));
    assertThat(
        new HubEnvironment(
                Map.of("HF_HOME", home.toString(), "HUGGING_FACE_HUB_TOKEN", "hf_legacyxxxxxxxx"))
            .token(),
        is(Optional.of("hf_legacyxxxxxxxx")));
    assertThat(
        new HubEnvironment(
                Map.of(
                    "HF_HOME",
                    home.toString(),
                    "HUGGING_FACE_HUB_TOKEN",
                    "hf_legacyxxxxxxxx",
                    "HF_TOKEN",
                    "hf_envxxxxxxxxxxxx"))
            .token(),
        is(Optional.of("hf_envxxxxxxxxxxxx")));
    assertThat(
        new HubEnvironment(Map.of("HF_HOME", tmp.resolve("empty").toString())).token(),
        is(Optional.empty()));
  }

  @Test
  void endpointAndCacheFollowHuggingfaceHubDefaults() {
    HubEnvironment env =
        new HubEnvironment(Map.of("HF_HOME", "/x/hf", "HF_ENDPOINT", "http://127.0.0.1:9/"));
    assertThat(env.endpoint(), is("http://127.0.0.1:9"));
    assertThat(env.hubCache(), is(Path.of("/x/hf/hub")));
    assertThat(new HubEnvironment(Map.of()).endpoint(), is("https://huggingface.co"));
    assertThat(new HubEnvironment(Map.of("HF_HUB_CACHE", "/c")).hubCache(), is(Path.of("/c")));
  }

  @Test
  void storedTokenIsPrivateAndReadBack() throws Exception {
    HubEnvironment env = new HubEnvironment(Map.of("HF_HOME", tmp.resolve("hf").toString()));
    Path file = env.storeToken("hf_" + "storedxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    assertThat(file, is(tmp.resolve("hf").resolve("token")));
    assertThat(Files.readString(file), is("hf_" + "storedxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), is("rw-------"));
    assertThat(env.token(), is(Optional.of("hf_" + "storedxxxxxxxxxxxxxxxxxxxxxxxxxxxx")));
  }
}
