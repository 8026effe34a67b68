/**
 * A Java client for the Hugging Face Hub that speaks the same HTTP protocol as huggingface_hub and
 * shares its token file and download cache. Start at {@link io.hfbeam.hub.HubClient}; commits are
 * built from {@link io.hfbeam.hub.CommitOperation}s and are made exactly once, whatever the network
 * does ({@link io.hfbeam.hub.RetryPolicy} holds every retry decision). The local Hub for tests and
 * offline work is {@code io.hfbeam.hub.server.LocalHubServer}.
 */
package io.hfbeam.hub;
