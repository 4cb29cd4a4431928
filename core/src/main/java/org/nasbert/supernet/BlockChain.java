package org.nasbert.supernet;

import org.nasbert.space.BlockPath;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Paths of consecutive supernet blocks from block {@code first}: one path is that block's candidate, one path per
 * block from block 0 a whole student. Its loss is against the teacher's state where the chain ends.
 */
public final class BlockChain implements Serializable {
    private static final long serialVersionUID = 1L;
    public final int first;
    public final List<BlockPath> paths;

    public BlockChain(int first, List<BlockPath> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one block path");
        }
        this.first = first;
        this.paths = Collections.unmodifiableList(new ArrayList<>(paths));
    }

    public static BlockChain of(int block, BlockPath path) {
        return new BlockChain(block, Collections.singletonList(path));
    }

    /** The boundary whose teacher state the chain's output is compared with. */
    public int end() {
        return first + paths.size();
    }

    /** Blocks, then paths in order: chains that share a prefix sort next to each other. */
    public String sortKey() {
        return first + " " + paths;
    }
}
