package org.nasbert.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nasbert.NasbertException;
import org.nasbert.conf.Settings;
import org.nasbert.io.Json;
import org.nasbert.space.SearchSpace;
import org.nasbert.supernet.SupernetSettings;

import java.io.IOException;

/**
 * What a latency table is measured for: the search space, the embedding size, the engine and the deployment's batch,
 * sequence length, threads and runs. The latency stage writes it as {@code <run>/latency/space.json}; the probe reads
 * it (or a settings file) so a table measured on a serving machine matches the run it is imported into.
 */
public final class TableSpec {
    public final SearchSpace space;
    public final int embeddingSize;
    public final String engine;
    public final int batch;
    public final int sequenceLength;
    public final int threads;
    public final int runs;
    /** The students' output projection width (0: none), see {@link LatencyTable#outputWidth()}. */
    public final int outputWidth;

    public TableSpec(SearchSpace space, int embeddingSize, String engine, int batch, int sequenceLength, int threads, int runs) {
        this(space, embeddingSize, engine, batch, sequenceLength, threads, runs, 0);
    }

    public TableSpec(SearchSpace space, int embeddingSize, String engine, int batch, int sequenceLength, int threads, int runs,
                     int outputWidth) {
        this.space = space;
        this.embeddingSize = embeddingSize;
        this.engine = engine;
        this.batch = batch;
        this.sequenceLength = sequenceLength;
        this.threads = threads;
        this.runs = runs;
        this.outputWidth = outputWidth;
    }

    public TableSpec withOutputWidth(int width) {
        return new TableSpec(space, embeddingSize, engine, batch, sequenceLength, threads, runs, width);
    }

    /** The table these settings ask for, with embeddings of {@code embeddingSize} (search.embedding-size; 0: block 0's widths). */
    public static TableSpec of(Settings settings, int embeddingSize) {
        return new TableSpec(SupernetSettings.space(settings), embeddingSize, settings.get(LatencySettings.ENGINE),
                settings.get(LatencySettings.BATCH), settings.get(LatencySettings.SEQUENCE_LENGTH), settings.get(LatencySettings.THREADS),
                settings.get(LatencySettings.RUNS));
    }

    /** The same table at other conditions. */
    public TableSpec with(String engine, int batch, int sequenceLength, int threads, int runs) {
        return new TableSpec(space, embeddingSize, engine, batch, sequenceLength, threads, runs, outputWidth);
    }

    public String toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode widths = root.putArray("hidden_sizes");
        for (int h : space.hiddenSizes()) {
            widths.add(h);
        }
        ArrayNode kernels = root.putArray("kernels");
        for (int k : space.kernels()) {
            kernels.add(k);
        }
        root.put("layers_per_block", space.layersPerBlock());
        root.put("ffn_ratio", space.ffnRatio());
        root.put("embedding_size", embeddingSize);
        root.put("engine", engine);
        root.put("batch", batch);
        root.put("sequence_length", sequenceLength);
        root.put("threads", threads);
        root.put("runs", runs);
        root.put("output_width", outputWidth);
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@link #toJson}'s form; {@code source} names the file in errors. */
    public static TableSpec fromJson(String json, String source) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new NasbertException(source + ": not JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        String[] fields = {"hidden_sizes", "kernels", "layers_per_block", "ffn_ratio", "embedding_size", "engine", "batch",
                "sequence_length", "threads", "runs"};
        for (String f : fields) {
            if (root == null || !root.has(f)) {
                throw new NasbertException(source + ": expected a latency space (the run's latency/space.json) with " + String.join(", ", fields)
                        + "; \"" + f + "\" is missing");
            }
        }
        try {
            return new TableSpec(new SearchSpace(ints(root.path("hidden_sizes")), ints(root.path("kernels")), root.path("layers_per_block").asInt(),
                    root.path("ffn_ratio").asInt()), root.path("embedding_size").asInt(), root.path("engine").asText(),
                    root.path("batch").asInt(), root.path("sequence_length").asInt(), root.path("threads").asInt(), root.path("runs").asInt(),
                    root.path("output_width").asInt(0));
        } catch (NasbertException e) {
            throw new NasbertException(source + ": " + e.getMessage());
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
