package org.nasbert.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A whole student body: one path per block. Canonical text {@code 256:mha,ffn,sep3,ffn,id,id | 384:...};
 * JSON {@code {"blocks": [{"hidden": 256, "ops": ["mha", "ffn", ...]}, ...]}}. Both forms parse back to an
 * equal architecture.
 */
public final class Architecture implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<BlockPath> blocks;

    public Architecture(List<BlockPath> blocks) {
        if (blocks.isEmpty()) {
            throw new NasbertException("an architecture needs at least one block");
        }
        this.blocks = Collections.unmodifiableList(new ArrayList<>(blocks));
    }

    public List<BlockPath> blocks() {
        return blocks;
    }

    public static Architecture parse(String text) {
        List<BlockPath> blocks = new ArrayList<>();
        for (String block : text.split("\\|")) {
            blocks.add(BlockPath.parse(block.trim()));
        }
        return new Architecture(blocks);
    }

    public static Architecture fromJson(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new NasbertException(source + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode array = root == null ? null : root.get("blocks");
        if (array == null || !array.isArray()) {
            throw new NasbertException(source + ": expected {\"blocks\": [{\"hidden\": <int>, \"ops\": [...]}, ...]}");
        }
        List<BlockPath> blocks = new ArrayList<>();
        for (int b = 0; b < array.size(); b++) {
            JsonNode block = array.get(b);
            JsonNode hidden = block.get("hidden");
            JsonNode ops = block.get("ops");
            if (hidden == null || !hidden.canConvertToInt() || ops == null || !ops.isArray()) {
                throw new NasbertException(source + ": block " + b + " needs an integer \"hidden\" and an \"ops\" list");
            }
            List<Op> list = new ArrayList<>();
            for (JsonNode op : ops) {
                try {
                    list.add(Op.parse(op.asText()));
                } catch (NasbertException e) {
                    throw new NasbertException(source + ": block " + b + ": " + e.getMessage(), e);
                }
            }
            try {
                blocks.add(new BlockPath(hidden.asInt(), list));
            } catch (NasbertException e) {
                throw new NasbertException(source + ": block " + b + ": " + e.getMessage(), e);
            }
        }
        return new Architecture(blocks);
    }

    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray("blocks");
        for (BlockPath block : blocks) {
            ObjectNode b = array.addObject();
            b.put("hidden", block.hidden());
            ArrayNode ops = b.putArray("ops");
            for (Op op : block.ops()) {
                ops.add(op.toString());
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Weights of the blocks' operations (embeddings, projections and heads are counted by the student). */
    public long blockParameters(int ffnRatio) {
        long n = 0;
        for (BlockPath b : blocks) {
            n += b.parameters(ffnRatio);
        }
        return n;
    }

    /** Multiply-adds x 2 of the blocks' operations on {@code seq} tokens: what a student's training and inference cost grow with. */
    public long blockFlops(int ffnRatio, int seq) {
        long n = 0;
        for (BlockPath b : blocks) {
            n += b.flops(ffnRatio, seq);
        }
        return n;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (BlockPath b : blocks) {
            s.append(s.length() == 0 ? "" : " | ").append(b);
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture && ((Architecture) o).blocks.equals(blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }
}
