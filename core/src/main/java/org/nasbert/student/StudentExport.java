package org.nasbert.student;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.intel.analytics.bigdl.tensor.Tensor;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.NasbertException;
import org.nasbert.io.Json;
import org.nasbert.nn.Tensors;
import org.nasbert.space.Architecture;
import org.nasbert.space.BlockPath;
import org.nasbert.space.Op;
import org.nasbert.teacher.BertConfig;
import org.nasbert.teacher.BertWeights;
import org.nasbert.teacher.HuggingFaceExport;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.WeightTensor;
import org.nasbert.text.WordPieceVocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A student as a directory other tools read. A uniform BERT-shaped student (one width, MHA and FFN alternating,
 * embeddings at that width, no extra projections) is a Hugging Face BERT directory ({@code config.json},
 * {@code model.safetensors} in BERT's names, {@code vocab.txt}) plus {@code arch.json}; any other student is
 * {@code arch.json} (architecture and shape) and {@code model.safetensors} in the names of
 * {@link StudentModel#namedWeights()}. The directory appears whole or not at all.
 */
public final class StudentExport {
    public static final String ARCH = "arch.json";
    public static final String WEIGHTS = "model.safetensors";
    /** Written for every student: BERT's config for BERT-shaped ones, arch.json's fields with model_type otherwise. */
    public static final String CONFIG = "config.json";

    private StudentExport() {
    }

    /** Whether Hugging Face's BertModel can hold this student. */
    public static boolean bertShaped(StudentModel s) {
        Architecture a = s.architecture();
        int h = a.blocks().get(0).hidden();
        List<Op> ops = new ArrayList<>();
        for (BlockPath b : a.blocks()) {
            if (b.hidden() != h) {
                return false;
            }
            for (Op op : b.ops()) {
                if (!op.isIdentity()) {
                    ops.add(op);
                }
            }
        }
        boolean links = false;
        for (boolean l : s.links()) {
            links |= l;
        }
        if (links || s.outputWidth() != 0 || s.embeddingSize() != h || ops.size() % 2 != 0) {
            return false;
        }
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).equals(i % 2 == 0 ? Op.MHA : Op.FFN)) { // equals: an Op may come through Java serialization (a task)
                return false;
            }
        }
        return true;
    }

    public static void write(StudentModel student, int ffnRatio, WordPieceVocabulary vocabulary, Path target, Configuration conf) {
        write(student, ffnRatio, vocabulary, target, conf, false);
    }

    /** As {@link #write(StudentModel, int, WordPieceVocabulary, Path, Configuration)}, with {@code model.onnx} when {@code onnx}. */
    public static void write(StudentModel student, int ffnRatio, WordPieceVocabulary vocabulary, Path target, Configuration conf,
                             boolean onnx) {
        try {
            FileSystem fs = raw(target.getFileSystem(conf));
            if (fs.exists(target)) {
                throw new NasbertException("export target " + target + " already exists; remove it or choose another");
            }
            Path tmp = new Path(target.getParent(), "_tmp-" + target.getName() + "-" + UUID.randomUUID());
            try {
                if (bertShaped(student)) {
                    HuggingFaceExport.write(bertWeights(student, ffnRatio), vocabulary, tmp, conf);
                } else {
                    fs.mkdirs(tmp);
                    List<WeightTensor> tensors = new ArrayList<>();
                    for (Map.Entry<String, Tensor<Float>> e : student.namedWeights().entrySet()) {
                        tensors.add(weight(e.getKey(), e.getValue()));
                    }
                    try (FSDataOutputStream out = fs.create(new Path(tmp, WEIGHTS), false)) {
                        SafeTensors.write(tensors, Collections.singletonMap("format", "nasbert-student"), false, out);
                    }
                    ObjectNode config = describe(student, ffnRatio);
                    config.put("model_type", "nasbert-student");
                    try (FSDataOutputStream out = fs.create(new Path(tmp, CONFIG), false)) {
                        out.write(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
                    }
                    if (vocabulary != null) {
                        HuggingFaceExport.writeVocabulary(fs, new Path(tmp, HuggingFaceExport.VOCAB), vocabulary);
                    }
                }
                if (onnx) {
                    try (FSDataOutputStream out = fs.create(new Path(tmp, StudentOnnx.FILE), false)) {
                        out.write(StudentOnnx.of(student));
                    }
                }
                try (FSDataOutputStream out = fs.create(new Path(tmp, ARCH), false)) {
                    out.write(Json.MAPPER.writeValueAsBytes(describe(student, ffnRatio)));
                }
                if (!fs.rename(tmp, target)) {
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            } finally {
                fs.delete(tmp, true);
            }
        } catch (IOException e) {
            throw new NasbertException("cannot export to " + target + ": " + e.getMessage(), e);
        }
    }

    /** The file system to write a model with: on a local disk without Hadoop's .crc files beside it. */
    public static FileSystem raw(FileSystem fs) {
        return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRaw() : fs; // no .crc files beside the model
    }

    private static ObjectNode describe(StudentModel s, int ffnRatio) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("format", bertShaped(s) ? "huggingface-bert" : "nasbert-student");
        root.put("architecture", s.architecture().toString());
        root.set("blocks", Json.MAPPER.readTree(s.architecture().toJson()).path("blocks"));
        root.put("embedding_size", s.embeddingSize());
        root.put("vocab_size", s.vocabSize());
        root.put("max_positions", s.positions());
        root.put("ffn_ratio", ffnRatio);
        ArrayNode links = root.putArray("linear_after_block");
        for (boolean l : s.links()) {
            links.add(l);
        }
        root.put("output_width", s.outputWidth());
        root.put("mlm_head", s.maskedLmHead() != null);
        root.put("parameters", s.parameterCount());
        return root;
    }

    /** The FFN ratio a student in {@code dir} was written with (arch.json), which rewriting it needs. */
    public static int ffnRatio(Path dir, Configuration conf) {
        Path arch = new Path(dir, ARCH);
        try (InputStream in = arch.getFileSystem(conf).open(arch)) {
            return Json.MAPPER.readTree(in).path("ffn_ratio").asInt(4);
        } catch (IOException e) {
            throw new NasbertException("cannot read " + arch + ": " + e.getMessage(), e);
        }
    }

    /** The width of the output projection a student in {@code dir} was written with (arch.json; 0: none). */
    public static int outputWidth(Path dir, Configuration conf) {
        Path arch = new Path(dir, ARCH);
        try (InputStream in = arch.getFileSystem(conf).open(arch)) {
            return Json.MAPPER.readTree(in).path("output_width").asInt(0);
        } catch (IOException e) {
            throw new NasbertException("cannot read " + arch + ": " + e.getMessage(), e);
        }
    }

    /** A student written by {@link #write}, in either form. */
    public static StudentModel read(Path dir, Configuration conf) {
        try {
            FileSystem fs = dir.getFileSystem(conf);
            JsonNode arch;
            try (InputStream in = fs.open(new Path(dir, ARCH))) {
                arch = Json.MAPPER.readTree(in);
            }
            String source = new Path(dir, ARCH).toString();
            Architecture a = Architecture.fromJson(Json.MAPPER.writeValueAsString(arch), source);
            JsonNode linksNode = arch.path("linear_after_block");
            boolean[] links = new boolean[a.blocks().size() - 1];
            if (linksNode.size() != links.length) {
                throw new NasbertException(source + ": linear_after_block has " + linksNode.size() + " entries, expected " + links.length);
            }
            for (int n = 0; n < links.length; n++) {
                links[n] = linksNode.get(n).asBoolean();
            }
            StudentModel s = FreshStudent.build(a, positive(arch, "embedding_size", source), positive(arch, "vocab_size", source),
                    positive(arch, "max_positions", source), positive(arch, "ffn_ratio", source), 0, links, arch.path("output_width").asInt(),
                    arch.path("mlm_head").asBoolean(false));
            Map<String, WeightTensor> stored = SafeTensors.read(fs, new Path(dir, WEIGHTS));
            boolean bert = "huggingface-bert".equals(arch.path("format").asText());
            Map<String, String> names = bert ? bertNames(s) : null;
            for (Map.Entry<String, Tensor<Float>> e : s.namedWeights().entrySet()) {
                String name = bert ? names.get(e.getKey()) : e.getKey();
                WeightTensor w = stored.get(name);
                if (w == null || w.data().length != e.getValue().nElement()) {
                    throw new NasbertException(new Path(dir, WEIGHTS) + ": " + (w == null ? "no tensor " + name : name + " has "
                            + w.data().length + " values, the architecture needs " + e.getValue().nElement()));
                }
                Tensor<Float> t = e.getValue();
                System.arraycopy(w.data(), 0, Tensors.data(t), Tensors.offset(t), w.data().length);
            }
            return s;
        } catch (IOException e) {
            throw new NasbertException("cannot read the student in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static int positive(JsonNode arch, String field, String source) {
        int v = arch.path(field).asInt(0);
        if (v <= 0) {
            throw new NasbertException(source + ": \"" + field + "\" must be a positive integer, got " + arch.path(field));
        }
        return v;
    }

    private static WeightTensor weight(String name, Tensor<Float> t) {
        return new WeightTensor(name, t.size(), Tensors.copyOf(t));
    }

    /** Our names to Hugging Face BERT's, for a BERT-shaped student. */
    static Map<String, String> bertNames(StudentModel s) {
        Map<String, String> out = new LinkedHashMap<>();
        int layer = 0;
        boolean attention = true;
        String[] mha = {"attention.self.query.weight", "attention.self.query.bias", "attention.self.key.weight",
                "attention.self.key.bias", "attention.self.value.weight", "attention.self.value.bias",
                "attention.output.dense.weight", "attention.output.dense.bias", "attention.output.LayerNorm.weight",
                "attention.output.LayerNorm.bias"};
        String[] ffn = {"intermediate.dense.weight", "intermediate.dense.bias", "output.dense.weight", "output.dense.bias",
                "output.LayerNorm.weight", "output.LayerNorm.bias"};
        String previousOp = null;
        for (String name : s.namedWeights().keySet()) {
            if (name.startsWith("embeddings.")) {
                out.put(name, "bert." + name);
                continue;
            }
            if (name.startsWith("head.")) {
                out.put(name, "cls.predictions." + name.substring(5).replace("transform.", "transform.dense.")
                        .replace("LayerNorm", "transform.LayerNorm"));
                continue;
            }
            // blocks.<n>.ops.<k>.<op>.p<j>
            String[] parts = name.split("\\.");
            String op = parts[0] + "." + parts[1] + "." + parts[3];
            if (previousOp != null && !previousOp.equals(op)) {
                attention = !attention;
                layer += attention ? 1 : 0;
            }
            previousOp = op;
            int j = Integer.parseInt(parts[5].substring(1));
            out.put(name, "bert.encoder.layer." + layer + "." + (attention ? mha[j] : ffn[j]));
        }
        return out;
    }

    private static BertWeights bertWeights(StudentModel s, int ffnRatio) {
        Map<String, String> names = bertNames(s);
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor<Float>> e : s.namedWeights().entrySet()) {
            String name = names.get(e.getKey());
            named.put(name, weight(name, e.getValue()));
        }
        int h = s.embeddingSize();
        int layers = 0;
        for (BlockPath b : s.architecture().blocks()) {
            layers += b.depth();
        }
        BertConfig config = new BertConfig(s.vocabSize(), h, layers / 2, Math.max(1, h / 64), ffnRatio * h, s.positions(), 2, 1e-12f);
        return BertWeights.of(config, named, "student " + s.architecture());
    }
}
