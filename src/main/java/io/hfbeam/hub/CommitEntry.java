package io.hfbeam.hub;

/** One commit of a branch's history, as the commits listing gives it. */
public record CommitEntry(String id, String title, String message, String date) {}
