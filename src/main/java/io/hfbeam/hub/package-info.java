/**
 * A Java client for the Hugging Face Hub that speaks the same HTTP protocol as huggingface_hub and
 * shares its token file and download cache. Start at {@link io.hfbeam.hub.HubClient}; commits are
 * built from {@link io.hfbeam.hub.CommitOperation}s and are made exactly once, whatever the network
 * does ({@link io.hfbeam.hub.RetryPolicy} holds every retry decision). The local Hub for tests and
 * offline work is {@code io.hfbeam.hub.server.LocalHubServer}. The shared cache is read by {@link
 * io.hfbeam.hub.CacheScanner} (as huggingface_hub's {@code scan_cache_dir}), checked by {@link
 * io.hfbeam.hub.CacheVerifier} and shrunk by {@link io.hfbeam.hub.CachePruner}.
 */
package io.hfbeam.hub;
