package org.nasbert.text;

import java.util.Arrays;

/**
 * A character trie over vocabulary pieces, so that WordPiece's longest-match-first search walks a
 * word once instead of building and hashing every prefix. Transitions live in one open-addressing
 * table keyed by (node, char).
 */
final class CharTrie {
    private static final long EMPTY = -1L;

    private long[] keys = new long[1 << 16];
    private int[] children = new int[1 << 16];
    private int transitions;
    private int[] tokenIds = new int[1 << 14];
    private int nodes = 1;

    CharTrie() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(tokenIds, -1);
    }

    static final int ROOT = 0;

    void insert(CharSequence piece, int from, int tokenId) {
        int node = ROOT;
        for (int i = from; i < piece.length(); i++) {
            int next = child(node, piece.charAt(i));
            if (next < 0) {
                next = newNode();
                put(node, piece.charAt(i), next);
            }
            node = next;
        }
        tokenIds[node] = tokenId;
    }

    /** The child of {@code node} along {@code c}, or -1. */
    int child(int node, char c) {
        long key = key(node, c);
        int mask = keys.length - 1;
        for (int slot = hash(key) & mask; ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) {
                return children[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
        }
    }

    /** The token id that ends at {@code node}, or -1. */
    int tokenId(int node) {
        return tokenIds[node];
    }

    private int newNode() {
        if (nodes == tokenIds.length) {
            int old = tokenIds.length;
            tokenIds = Arrays.copyOf(tokenIds, old * 2);
            Arrays.fill(tokenIds, old, tokenIds.length, -1);
        }
        return nodes++;
    }

    private void put(int node, char c, int child) {
        if ((transitions + 1) * 2 > keys.length) {
            grow();
        }
        long key = key(node, c);
        int mask = keys.length - 1;
        int slot = hash(key) & mask;
        while (keys[slot] != EMPTY) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        children[slot] = child;
        transitions++;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldChildren = children;
        keys = new long[oldKeys.length * 2];
        children = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int slot = hash(oldKeys[i]) & mask;
                while (keys[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = oldKeys[i];
                children[slot] = oldChildren[i];
            }
        }
    }

    private static long key(int node, char c) {
        return ((long) node << 16) | c;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
