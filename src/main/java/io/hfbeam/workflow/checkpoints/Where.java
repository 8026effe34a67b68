package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code --where} language of {@code checkpoints filter}: a boolean expression over one row of
 * a stage, parsed once against the stage's features (so an unknown column or a type mismatch fails
 * before any row is read) and evaluated on the row's JSON tree.
 *
 * <pre>
 * expr    := or
 * or      := and ("or" and)*
 * and     := not ("and" not)*
 * not     := "not" not | compare
 * compare := operand [ ("=" | "==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=") operand
 *                    | ["not"] "in" operand ]
 * operand := STRING | NUMBER | "true" | "false" | "null" | PATH | "len" "(" PATH ")" | "(" expr ")"
 * PATH    := NAME ("." NAME)*         a column, or a key inside a struct or Json column
 * STRING  := '...' | "..."            backslash escapes \' \" \\ \n \t
 * </pre>
 *
 * Semantics: numbers compare as numbers (int and float alike), strings by code point, booleans only
 * with = and !=. A null (a missing value or key) is equal only to {@code null}; an order comparison
 * with a null is false, so {@code user_frustration >= 4} skips rows without a score. {@code x in
 * LIST} is membership; {@code x in STRING} is a substring test. {@code len()} is the length of a
 * list or string (null for null). Timestamps compare as their ISO text (time order for a naive or
 * UTC column). Keywords are case-sensitive and lowercase.
 */
public final class Where {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A refused expression: the reason names the column or the 1-based character position. */
  public static final class WhereException extends IllegalArgumentException {
    public WhereException(String message) {
      super(message);
    }
  }

  private final String text;
  private final Node root;

  private Where(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /** Parses {@code expr} for rows of {@code features}; throws {@link WhereException}. */
  public static Where parse(String expr, Features features) {
    if (expr == null || expr.isBlank()) throw new WhereException("--where: empty expression");
    Parser p = new Parser(expr, features);
    Node n = p.expr();
    if (p.peek().kind != Kind.END) throw p.error("unexpected '" + p.peek().text + "'");
    if (n.type() != Type.BOOL && n.type() != Type.ANY) {
      throw new WhereException("--where: the expression is a " + n.type().word + ", not a test");
    }
    return new Where(expr, n);
  }

  public String text() {
    return text;
  }

  /** True when the row (a JSON tree of the stage's columns) matches. */
  public boolean test(JsonNode row) {
    return truth(root.eval(row));
  }

  private static boolean truth(Object v) {
    return v instanceof Boolean b && b;
  }

  // ------------------------------------------------------------------------------------ tokens

  private enum Kind {
    NAME,
    STRING,
    NUMBER,
    OP,
    LPAREN,
    RPAREN,
    END
  }

  private record Token(Kind kind, String text, Object value, int pos) {}

  private static List<Token> tokens(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        Kind k = c == '(' ? Kind.LPAREN : Kind.RPAREN;
        out.add(new Token(k, String.valueOf(c), null, i + 1));
        i++;
      } else if (c == '\'' || c == '"') {
        int start = i;
        StringBuilder b = new StringBuilder();
        i++;
        while (true) {
          if (i >= s.length()) {
            throw new WhereException(
                "--where: unterminated string starting at position " + (start + 1));
          }
          char d = s.charAt(i);
          if (d == c) break;
          if (d == '\\') {
            if (i + 1 >= s.length()) {
              throw new WhereException(
                  "--where: unterminated string starting at position " + (start + 1));
            }
            char e = s.charAt(i + 1);
            switch (e) {
              case 'n' -> b.append('\n');
              case 't' -> b.append('\t');
              case '\\', '\'', '"' -> b.append(e);
              default ->
                  throw new WhereException(
                      "--where: unknown escape \\" + e + " at position " + (i + 1));
            }
            i += 2;
          } else {
            b.append(d);
            i++;
          }
        }
        i++;
        out.add(new Token(Kind.STRING, s.substring(start, i), b.toString(), start + 1));
      } else if (Character.isDigit(c)
          || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))
          || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
        int start = i;
        i++;
        while (i < s.length()
            && (Character.isLetterOrDigit(s.charAt(i))
                || s.charAt(i) == '.'
                || ((s.charAt(i) == '-' || s.charAt(i) == '+')
                    && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E')))) {
          i++;
        }
        String num = s.substring(start, i);
        try {
          out.add(new Token(Kind.NUMBER, num, new BigDecimal(num), start + 1));
        } catch (NumberFormatException e) {
          throw new WhereException("--where: bad number '" + num + "' at position " + (start + 1));
        }
      } else if (Character.isLetter(c) || c == '_') {
        int start = i;
        while (i < s.length()
            && (Character.isLetterOrDigit(s.charAt(i))
                || s.charAt(i) == '_'
                || (s.charAt(i) == '.'
                    && i + 1 < s.length()
                    && (Character.isLetter(s.charAt(i + 1)) || s.charAt(i + 1) == '_')))) {
          i++;
        }
        out.add(new Token(Kind.NAME, s.substring(start, i), null, start + 1));
      } else {
        int start = i;
        String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
        String op;
        if (two.equals("<=") || two.equals(">=") || two.equals("!=") || two.equals("==")) {
          op = two;
        } else if (c == '<' || c == '>' || c == '=') {
          op = String.valueOf(c);
        } else {
          throw new WhereException("--where: unexpected '" + c + "' at position " + (i + 1));
        }
        i += op.length();
        out.add(new Token(Kind.OP, op.equals("==") ? "=" : op, null, start + 1));
      }
    }
    out.add(new Token(Kind.END, "end of expression", null, s.length() + 1));
    return out;
  }

  // ------------------------------------------------------------------------------------- types

  private enum Type {
    BOOL("boolean"),
    NUMBER("number"),
    STRING("string"),
    LIST("list"),
    STRUCT("struct"),
    NULL("null"),
    ANY("value"); // inside a Json column: known only per row

    final String word;

    Type(String word) {
      this.word = word;
    }
  }

  private static Type typeOf(Feature f) {
    if (f instanceof Feature.Value v) {
      String d = v.dtype();
      if (d.equals("bool")) return Type.BOOL;
      if (d.equals("string") || d.equals("large_string")) return Type.STRING;
      if (d.startsWith("int") || d.startsWith("uint") || d.startsWith("float")) return Type.NUMBER;
      return Type.ANY; // timestamps and the like: compared as their JSON form
    }
    if (f instanceof Feature.Sequence) return Type.LIST;
    if (f instanceof Feature.Struct) return Type.STRUCT;
    return Type.ANY;
  }

  // -------------------------------------------------------------------------------------- nodes

  private interface Node {
    Object eval(JsonNode row);

    Type type();
  }

  private record Literal(Object value, Type type) implements Node {
    @Override
    public Object eval(JsonNode row) {
      return value;
    }
  }

  /**
   * A column or a path into a struct or Json column. Values: null, Boolean, BigDecimal, String,
   * List, or a JsonNode object.
   */
  private record Path(List<String> parts, Type type, int jsonAt) implements Node {
    @Override
    public Object eval(JsonNode row) {
      JsonNode n = row.get(parts.get(0));
      for (int i = 1; i < parts.size() && n != null; i++) {
        // a Json column may come as its text: parsed on the way into it
        if (i == jsonAt && n.isTextual()) n = parseJson(n.textValue());
        n = n == null || !n.isObject() ? null : n.get(parts.get(i));
      }
      return value(n);
    }
  }

  private static JsonNode parseJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  private static Object value(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) return null;
    if (n.isBoolean()) return n.booleanValue();
    if (n.isNumber()) return n.decimalValue();
    if (n.isTextual()) return n.textValue();
    if (n.isArray()) {
      List<Object> out = new ArrayList<>(n.size());
      n.forEach(x -> out.add(value(x)));
      return out;
    }
    return n;
  }

  private record Len(Node arg) implements Node {
    @Override
    public Object eval(JsonNode row) {
      Object v = arg.eval(row);
      if (v instanceof List<?> l) return BigDecimal.valueOf(l.size());
      if (v instanceof String s) return BigDecimal.valueOf(s.codePointCount(0, s.length()));
      return null;
    }

    @Override
    public Type type() {
      return Type.NUMBER;
    }
  }

  private record Logic(String op, Node left, Node right) implements Node {
    @Override
    public Object eval(JsonNode row) {
      return switch (op) {
        case "and" -> truth(left.eval(row)) && truth(right.eval(row));
        case "or" -> truth(left.eval(row)) || truth(right.eval(row));
        default -> !truth(left.eval(row)); // not
      };
    }

    @Override
    public Type type() {
      return Type.BOOL;
    }
  }

  private record Compare(String op, Node left, Node right) implements Node {
    @Override
    public Object eval(JsonNode row) {
      Object a = left.eval(row);
      Object b = right.eval(row);
      switch (op) {
        case "=":
          return same(a, b);
        case "!=":
          return !same(a, b);
        case "in":
          return contains(b, a);
        case "not in":
          return b != null && !contains(b, a);
        default:
          Integer c = order(a, b);
          if (c == null) return false;
          return switch (op) {
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
          };
      }
    }

    @Override
    public Type type() {
      return Type.BOOL;
    }
  }

  private static boolean same(Object a, Object b) {
    if (a == null || b == null) return a == b;
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) return x.compareTo(y) == 0;
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) return false;
      for (int i = 0; i < x.size(); i++) if (!same(x.get(i), y.get(i))) return false;
      return true;
    }
    return a.equals(b);
  }

  private static Integer order(Object a, Object b) {
    if (a instanceof BigDecimal x && b instanceof BigDecimal y) return x.compareTo(y);
    if (a instanceof String x && b instanceof String y) return codePoints(x, y);
    return null;
  }

  /** Python's str order (by code point; String.compareTo orders UTF-16 units, which differs). */
  private static int codePoints(String x, String y) {
    int i = 0;
    int j = 0;
    while (i < x.length() && j < y.length()) {
      int a = x.codePointAt(i);
      int b = y.codePointAt(j);
      if (a != b) return Integer.compare(a, b);
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Boolean.compare(i < x.length(), j < y.length());
  }

  private static boolean contains(Object container, Object item) {
    if (container instanceof List<?> l) {
      for (Object x : l) if (same(x, item)) return true;
      return false;
    }
    if (container instanceof String s && item instanceof String t) return s.contains(t);
    return false;
  }

  // ------------------------------------------------------------------------------------- parser

  private static final class Parser {
    private final List<Token> tokens;
    private final Map<String, Feature> columns;
    private final String text;
    private int at;

    Parser(String text, Features features) {
      this.text = text;
      this.tokens = tokens(text);
      this.columns = features.asMap();
    }

    Token peek() {
      return tokens.get(at);
    }

    Token take() {
      return tokens.get(at++);
    }

    boolean keyword(String word) {
      Token t = peek();
      return t.kind == Kind.NAME && t.text.equals(word);
    }

    WhereException error(String what) {
      return error(what, peek().pos);
    }

    WhereException error(String what, int pos) {
      return new WhereException("--where: " + what + " at position " + pos);
    }

    Node expr() {
      Node left = and();
      while (keyword("or")) {
        take();
        left = new Logic("or", left, and());
      }
      return left;
    }

    Node and() {
      Node left = not();
      while (keyword("and")) {
        take();
        left = new Logic("and", left, not());
      }
      return left;
    }

    Node not() {
      if (keyword("not")) {
        take();
        return new Logic("not", not(), null);
      }
      return compare();
    }

    Node compare() {
      Token start = peek();
      Node left = operand();
      Token t = peek();
      String op = null;
      if (t.kind == Kind.OP) {
        op = take().text;
      } else if (keyword("in")) {
        take();
        op = "in";
      } else if (keyword("not")
          && tokens.get(at + 1).kind == Kind.NAME
          && tokens.get(at + 1).text.equals("in")) {
        take();
        take();
        op = "not in";
      }
      if (op == null) {
        if (left.type() != Type.BOOL && left.type() != Type.ANY) {
          throw error("'" + start.text + "' is a " + left.type().word + ", not a test", start.pos);
        }
        return left;
      }
      Token rightStart = peek();
      Node right = operand();
      check(op, left, right, t.pos, rightStart);
      return new Compare(op, left, right);
    }

    /** Type checks that catch a wrong column or literal before any row is read. */
    private void check(String op, Node left, Node right, int pos, Token rightStart) {
      Type a = left.type();
      Type b = right.type();
      if (op.endsWith("in")) {
        if (b != Type.LIST && b != Type.STRING && b != Type.ANY) {
          throw error(
              "'in' needs a list or a string on its right, got a " + b.word, rightStart.pos);
        }
        return;
      }
      if (a == Type.ANY || b == Type.ANY || a == Type.NULL || b == Type.NULL) {
        if ((a == Type.NULL || b == Type.NULL) && !op.equals("=") && !op.equals("!=")) {
          throw error("null compares only with = or !=", pos);
        }
        return;
      }
      if (a == Type.STRUCT || b == Type.STRUCT) {
        throw error("a struct compares with nothing; name one of its fields", pos);
      }
      if (a != b) throw error("a " + a.word + " compared with a " + b.word, pos);
      if ((a == Type.BOOL || a == Type.LIST) && !op.equals("=") && !op.equals("!=")) {
        throw error("a " + a.word + " compares only with = or !=", pos);
      }
    }

    Node operand() {
      Token t = take();
      switch (t.kind) {
        case STRING:
          return new Literal(t.value, Type.STRING);
        case NUMBER:
          return new Literal(t.value, Type.NUMBER);
        case LPAREN:
          {
            Node n = expr();
            if (peek().kind != Kind.RPAREN) throw error("expected ')'");
            take();
            return n;
          }
        case NAME:
          switch (t.text) {
            case "true":
              return new Literal(Boolean.TRUE, Type.BOOL);
            case "false":
              return new Literal(Boolean.FALSE, Type.BOOL);
            case "null":
              return new Literal(null, Type.NULL);
            case "and", "or", "not", "in":
              throw error("expected a value, got '" + t.text + "'", t.pos);
            case "len":
              if (peek().kind == Kind.LPAREN) {
                take();
                Token arg = peek();
                Node inner = operand();
                if (inner.type() != Type.LIST
                    && inner.type() != Type.STRING
                    && inner.type() != Type.ANY) {
                  throw error("len() takes a list or a string", arg.pos);
                }
                if (peek().kind != Kind.RPAREN) throw error("expected ')'");
                take();
                return new Len(inner);
              }
              return path(t);
            default:
              return path(t);
          }
        default:
          throw error("expected a value, got '" + t.text + "'", t.pos);
      }
    }

    private Node path(Token t) {
      List<String> parts = List.of(t.text.split("\\.", -1));
      Feature f = columns.get(parts.get(0));
      if (f == null) {
        throw new WhereException(
            "--where: unknown column '"
                + parts.get(0)
                + "' at position "
                + t.pos
                + " (columns: "
                + String.join(", ", columns.keySet())
                + ")");
      }
      for (int i = 1; i < parts.size(); i++) {
        if (f instanceof Feature.Json) return new Path(parts, Type.ANY, i);
        if (!(f instanceof Feature.Struct s)) {
          throw new WhereException(
              "--where: '"
                  + String.join(".", parts.subList(0, i))
                  + "' has no fields (at position "
                  + t.pos
                  + ")");
        }
        Feature next = s.fields().get(parts.get(i));
        if (next == null) {
          throw new WhereException(
              "--where: unknown column '"
                  + String.join(".", parts.subList(0, i + 1))
                  + "' at position "
                  + t.pos
                  + " (fields of "
                  + String.join(".", parts.subList(0, i))
                  + ": "
                  + String.join(", ", s.fields().keySet())
                  + ")");
        }
        f = next;
      }
      return new Path(parts, typeOf(f), -1);
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
