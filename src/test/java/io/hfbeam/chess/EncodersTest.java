package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class EncodersTest {
  private static Board play(String... sans) {
    Board b = Board.startingPosition();
    for (String san : sans) b.play(San.parse(b, san));
    return b;
  }

  @Test
  void bitboardsOfTheStartPosition() {
    Bitboards bb = Bitboards.encode(Board.startingPosition());
    assertThat(bb.pieces()[0], equalTo(0xFF00L)); // white pawns on rank 2
    assertThat(bb.pieces()[5], equalTo(1L << 4)); // white king e1
    assertThat(bb.pieces()[6], equalTo(0xFFL << 48)); // black pawns on rank 7
    assertThat(bb.pieces()[10], equalTo(1L << 59)); // black queen d8
    assertThat(bb.whiteToMove(), equalTo(true));
    assertThat(bb.castling(), equalTo(15));
    assertThat(bb.epSquare(), equalTo(-1));
  }

  @Test
  void bitboardsEnPassantOnlyWhenCaptureIsLegal() {
    assertThat(Bitboards.encode(play("e4")).epSquare(), equalTo(-1));
    Board b = play("e4", "a6", "e5", "d5");
    assertThat(Bitboards.encode(b).epSquare(), equalTo(Squares.parse("d6")));
    assertThat(Bitboards.encode(b).whiteToMove(), equalTo(true));
  }

  @Test
  void castlingBitsFollowMoves() {
    Board b = play("e4", "e5", "Ke2", "Nf6", "Nf3", "Rg8");
    assertThat(Bitboards.encode(b).castling(), equalTo(Board.BLACK_QUEENSIDE));
    byte[] tokens = TokenSequence.encode(b);
    assertThat(tokens[64], equalTo((byte) 29));
    assertThat(
        new byte[] {tokens[65], tokens[66], tokens[67], tokens[68]},
        equalTo(new byte[] {31, 31, 31, 32}));
  }

  @Test
  void planesAreRankMajorFromRankOne() {
    Board b = play("e4");
    byte[] planes = Planes.encode(b);
    assertThat(planes.length, equalTo(768));
    int sum = 0;
    for (byte v : planes) sum += v;
    assertThat(sum, equalTo(32));
    assertThat(planes[0 * 64 + 3 * 8 + 4], equalTo((byte) 1)); // white pawn plane, rank 4, file e
    assertThat(planes[0 * 64 + 1 * 8 + 4], equalTo((byte) 0)); // e2 is empty now
    assertThat(planes[11 * 64 + 7 * 8 + 4], equalTo((byte) 1)); // black king plane, e8
    assertThat(planes[3 * 64 + 0], equalTo((byte) 1)); // white rook a1
  }

  @Test
  void tokensWriteIntoAWindowAtAnOffset() {
    byte[] window = new byte[2 * TokenSequence.LENGTH];
    TokenSequence.encodeInto(play("e4"), window, TokenSequence.LENGTH);
    assertThat(window[0], equalTo((byte) 0));
    assertThat(
        window[TokenSequence.LENGTH + 28], equalTo((byte) 17)); // white pawn on e4 (square 28)
    assertThat(window[TokenSequence.LENGTH + 64], equalTo((byte) 30)); // black to move
  }
}
