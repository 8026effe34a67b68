package io.hfbeam.hub.server;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.testing.NodeEnv;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official JS client @huggingface/hub 2.17.5, unmodified, against {@link LocalHubServer}. */
class JsHubClientInteropTest {
  @TempDir Path tmp;
  LocalHubServer hub;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(NodeEnv.available(), () -> "JS interop skipped: " + NodeEnv.skipReason());
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withPageSizes(2, 2)
                .withToken("hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx", "hfbeam-local", "bob"));
  }

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
  }

  @Test
  void officialJsClientCreatesUploadsListsAndDownloads() throws Exception {
    String script =
        """
        import { whoAmI, createRepo, uploadFiles, listFiles, downloadFile, fileExists } from "@huggingface/hub";
        import assert from "node:assert/strict";
        import { createHash } from "node:crypto";
        const hubUrl = process.env.HUB_URL;
        const accessToken = "@TOKEN@";
        const repo = { type: "dataset", name: "bob/js-demo" };
        const me = await whoAmI({ accessToken, hubUrl });
        assert.equal(me.name, "hfbeam-local");
        const created = await createRepo({ repo, accessToken, hubUrl });
        assert.ok(created.repoUrl.endsWith("/datasets/bob/js-demo"), created.repoUrl);
        await assert.rejects(createRepo({ repo, accessToken, hubUrl }), (e) => e.statusCode === 409);
        const big = new Uint8Array(11 * 1024 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) & 0xff;
        await uploadFiles({ repo, accessToken, hubUrl, commitTitle: "Add two files", files: [
          { path: "notes/readme.txt", content: new Blob(["hello from js\\n"]) },
          { path: "data/big.bin", content: new Blob([big]) },
        ]});
        const paths = [];
        for await (const f of listFiles({ repo, accessToken, hubUrl, recursive: true })) paths.push(f.path + ":" + f.type);
        assert.deepEqual(paths.sort(), [".gitattributes:file", "data/big.bin:file", "data:directory", "notes/readme.txt:file", "notes:directory"]);
        const text = await downloadFile({ repo, accessToken, hubUrl, path: "notes/readme.txt" });
        assert.equal(await text.text(), "hello from js\\n");
        const blob = await downloadFile({ repo, accessToken, hubUrl, path: "data/big.bin" });
        const got = createHash("sha256").update(new Uint8Array(await blob.arrayBuffer())).digest("hex");
        assert.equal(got, createHash("sha256").update(big).digest("hex"));
        assert.equal(await downloadFile({ repo, accessToken, hubUrl, path: "missing.txt" }), null);
        assert.equal(await fileExists({ repo, accessToken, hubUrl, path: "notes/readme.txt" }), true);
        console.log("JS-OK");
        """
            .replace("@TOKEN@", "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx");
    PythonEnv.Result r = NodeEnv.runScript(script, Map.of("HUB_URL", hub.url()), 120);
    assertThat(r.output(), r.output(), containsString("JS-OK"));
  }
}
