package io.hfbeam.hub;

import java.util.List;

/**
 * The account a token belongs to; {@code role} is the token's role (read, write, ...) when the Hub
 * says it.
 */
public record WhoAmI(String name, String type, List<String> orgs, String role) {}
