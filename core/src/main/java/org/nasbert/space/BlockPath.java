package org.nasbert.space;

import org.nasbert.NasbertException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One path through a supernet block: the block's hidden size and one op per layer, identities only at the
 * end (an identity makes the block shallower) and not all identities. Canonical text: {@code 256:mha,ffn,sep5,id,id,id}.
 */
public final class BlockPath implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int hidden;
    private final List<Op> ops;

    public BlockPath(int hidden, List<Op> ops) {
        if (hidden <= 0) {
            throw new NasbertException("block hidden size " + hidden + " must be positive");
        }
        if (ops.isEmpty() || ops.get(0).isIdentity()) {
            throw new NasbertException("block path " + text(hidden, ops) + ": a path needs at least one operation before any id");
        }
        boolean identities = false;
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i).isIdentity()) {
                identities = true;
            } else if (identities) {
                throw new NasbertException("block path " + text(hidden, ops) + ": layer " + i + " follows an id; ids come only at the end");
            }
        }
        this.hidden = hidden;
        this.ops = Collections.unmodifiableList(new ArrayList<>(ops));
    }

    public static BlockPath parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new NasbertException("block path '" + text + "': expected <hidden>:<op>,<op>,... e.g. 256:mha,ffn,sep3,id");
        }
        int hidden;
        try {
            hidden = Integer.parseInt(text.substring(0, colon).trim());
        } catch (NumberFormatException e) {
            throw new NasbertException("block path '" + text + "': hidden size '" + text.substring(0, colon) + "' is not a number");
        }
        List<Op> ops = new ArrayList<>();
        for (String name : text.substring(colon + 1).split(",")) {
            ops.add(Op.parse(name.trim()));
        }
        return new BlockPath(hidden, ops);
    }

    public int hidden() {
        return hidden;
    }

    public List<Op> ops() {
        return ops;
    }

    /** Layers that are not identity. */
    public int depth() {
        int d = 0;
        for (Op op : ops) {
            d += op.isIdentity() ? 0 : 1;
        }
        return d;
    }

    /** Weights of the block's ops (without the projections to and from the teacher's hidden size). */
    public long parameters(int ffnRatio) {
        long n = 0;
        for (Op op : ops) {
            n += op.parameters(hidden, ffnRatio);
        }
        return n;
    }

    public long flops(int ffnRatio, int seq) {
        long n = 0;
        for (Op op : ops) {
            n += op.flops(hidden, ffnRatio, seq);
        }
        return n;
    }

    private static String text(int hidden, List<Op> ops) {
        StringBuilder s = new StringBuilder().append(hidden).append(':');
        for (int i = 0; i < ops.size(); i++) {
            s.append(i == 0 ? "" : ",").append(ops.get(i));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return text(hidden, ops);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockPath && ((BlockPath) o).hidden == hidden && ((BlockPath) o).ops.equals(ops);
    }

    @Override
    public int hashCode() {
        return 31 * hidden + ops.hashCode();
    }
}
