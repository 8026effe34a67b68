package io.hfbeam.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example pipeline the README shows is the one CI compiles and runs. */
class ReadmeExampleTest {
  @Test
  void theReadmeShowsTheExampleFileAsItIs() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String example =
        Files.readString(
            Path.of("src/test/java/io/hfbeam/examples/ChessDatasetExample.java"),
            StandardCharsets.UTF_8);
    assertThat(readme, containsString("```java\n" + example + "```\n"));
  }
}
