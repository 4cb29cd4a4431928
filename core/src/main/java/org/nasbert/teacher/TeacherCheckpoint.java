package org.nasbert.teacher;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.teacher.checkpoint.CheckpointException;
import org.nasbert.teacher.checkpoint.SafeTensors;
import org.nasbert.teacher.checkpoint.TfBundle;
import org.nasbert.teacher.checkpoint.WeightTensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a teacher named in the settings and reads it as BERT weights, choosing the reader from what the
 * location holds:
 * <ul>
 *   <li>a Hugging Face directory: {@code config.json} + {@code model.safetensors} (or the .safetensors file);</li>
 *   <li>a TensorFlow checkpoint: a directory with {@code variables/variables.index} (SavedModel) or one
 *       {@code *.index}, or the {@code .index} file; config from {@code bert_config.json}/{@code config.json}
 *       when present, else inferred from the shapes with heads = hidden / 64 and epsilon 1e-12 (BERT's);</li>
 *   <li>an ONNX BERT-style encoder: a {@code .onnx} file or a directory with one.</li>
 * </ul>
 * Locations inside jars and Maven artifacts are first unpacked by {@link ModelFiles}.
 */
public final class TeacherCheckpoint {
    public enum Format { HUGGING_FACE, TENSORFLOW, ONNX }

    private final String location;
    private final Format format;
    private final BertWeights weights;
    private final String vocabulary;

    private TeacherCheckpoint(String location, Format format, BertWeights weights, String vocabulary) {
        this.location = location;
        this.format = format;
        this.weights = weights;
        this.vocabulary = vocabulary;
    }

    public static TeacherCheckpoint open(String location, Configuration hadoopConf) {
        ModelFiles files = ModelFiles.locate(location, hadoopConf);
        try {
            FileSystem fs = files.path().getFileSystem(hadoopConf);
            Format format = detect(fs, files.path());
            BertWeights weights;
            switch (format) {
                case HUGGING_FACE:
                    weights = readHuggingFace(fs, files.path());
                    break;
                case TENSORFLOW:
                    weights = readTensorFlow(fs, files.path());
                    break;
                default:
                    weights = readOnnx(fs, files.path());
            }
            return new TeacherCheckpoint(location, format, weights, files.vocabulary(fs));
        } catch (IOException e) {
            throw new CheckpointException("cannot read teacher '" + location + "': " + e.getMessage(), e);
        }
    }

    /**
     * The teacher's sizes without reading its weights (for memory estimates before any work): config.json beside a
     * Hugging Face model, bert_config.json/config.json beside the others, else a TensorFlow bundle's shapes from its
     * index. An ONNX model without a config file has its sizes only inside the graph: it is read when it is under a third
     * of this JVM's heap, and otherwise refused (reading it takes the file's bytes and its weights at once).
     */
    public static BertConfig configWithoutWeights(String location, Configuration hadoopConf) {
        ModelFiles files = ModelFiles.locate(location, hadoopConf);
        try {
            FileSystem fs = files.path().getFileSystem(hadoopConf);
            Path path = files.path();
            Format format = detect(fs, path);
            Path dir = fs.getFileStatus(path).isFile() ? path.getParent() : path;
            if (format == Format.TENSORFLOW) {
                Path prefix = tensorFlowPrefix(fs, path);
                BertConfig config = configBeside(fs, prefix.getParent());
                return config != null ? config : TensorFlowNames.inferConfig(new TfBundle(fs, prefix).shapes(), prefix + ".index");
            }
            BertConfig config = configBeside(fs, dir);
            if (config != null || format == Format.HUGGING_FACE) {
                return config;
            }
            long length = fs.getFileStatus(fs.getFileStatus(path).isDirectory() ? single(fs, path, ".onnx") : path).getLen();
            if (3 * length > Runtime.getRuntime().maxMemory()) {
                throw new CheckpointException(String.format("teacher '%s': reading its %.1f GB ONNX file needs about %.1f GB of "
                        + "heap, this JVM has %.1f GB: raise the driver's memory, or put a config.json beside it", location,
                        length / 1073741824.0, 3 * length / 1073741824.0, Runtime.getRuntime().maxMemory() / 1073741824.0));
            }
            return readOnnx(fs, path).config();
        } catch (IOException e) {
            throw new CheckpointException("cannot read teacher '" + location + "': " + e.getMessage(), e);
        }
    }

    /** The vocabulary beside a teacher, without reading its weights; null when there is none. */
    public static String vocabularyBeside(String location, Configuration hadoopConf) {
        ModelFiles files = ModelFiles.locate(location, hadoopConf);
        try {
            FileSystem fs = files.path().getFileSystem(hadoopConf);
            if (!fs.exists(files.path())) {
                throw new CheckpointException("teacher '" + location + "' does not exist");
            }
            return files.vocabulary(fs);
        } catch (IOException e) {
            throw new CheckpointException("cannot read teacher '" + location + "': " + e.getMessage(), e);
        }
    }

    public String location() {
        return location;
    }

    public Format format() {
        return format;
    }

    public BertWeights weights() {
        return weights;
    }

    public BertConfig config() {
        return weights.config();
    }

    /** The vocabulary found beside the checkpoint (vocab.txt or tokenizer.json), or null. */
    public String vocabulary() {
        return vocabulary;
    }

    static Format detect(FileSystem fs, Path path) throws IOException {
        if (!fs.exists(path)) {
            throw new CheckpointException("teacher '" + path + "' does not exist");
        }
        if (fs.getFileStatus(path).isFile()) {
            String name = path.getName();
            if (name.endsWith(".onnx")) {
                return Format.ONNX;
            }
            if (name.endsWith(".safetensors")) {
                return Format.HUGGING_FACE;
            }
            if (name.endsWith(".index")) {
                return Format.TENSORFLOW;
            }
            throw new CheckpointException("teacher '" + path + "': expected a .onnx, .safetensors or TensorFlow .index file, "
                    + "or a model directory");
        }
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs.listStatus(path)) {
            names.add(s.getPath().getName());
        }
        if (names.contains("model.safetensors")) {
            return Format.HUGGING_FACE;
        }
        if (fs.exists(new Path(path, "variables/variables.index")) || names.stream().anyMatch(n -> n.endsWith(".index"))) {
            return Format.TENSORFLOW;
        }
        if (names.stream().anyMatch(n -> n.endsWith(".onnx"))) {
            return Format.ONNX;
        }
        if (names.contains("pytorch_model.bin")) {
            throw new CheckpointException("teacher '" + path + "' has only pytorch_model.bin (a Python pickle, which this tool "
                    + "does not load); save it as model.safetensors");
        }
        throw new CheckpointException("teacher '" + path + "' holds no model: expected config.json + model.safetensors, a "
                + "TensorFlow checkpoint (*.index + *.data-*), or a .onnx file; found " + names);
    }

    private static BertWeights readHuggingFace(FileSystem fs, Path path) throws IOException {
        Path file = fs.getFileStatus(path).isFile() ? path : new Path(path, "model.safetensors");
        Path dir = file.getParent();
        Path configFile = new Path(dir, "config.json");
        if (!fs.exists(configFile)) {
            throw new CheckpointException("teacher '" + dir + "': config.json is missing beside " + file.getName());
        }
        BertConfig config = BertConfig.fromJson(readSmall(fs, configFile), configFile.toString());
        Map<String, WeightTensor> named = new LinkedHashMap<>();
        for (WeightTensor t : SafeTensors.read(fs, file).values()) {
            String c = BertWeights.canonicalName(t.name());
            named.put(c, t.renamed(c));
        }
        return BertWeights.of(config, named, file.toString());
    }

    /** The bundle's prefix as TensorFlow names it ({@code .../variables/variables} for {@code variables.index}). */
    private static Path tensorFlowPrefix(FileSystem fs, Path path) throws IOException {
        if (fs.getFileStatus(path).isFile()) {
            String s = path.toString();
            return new Path(s.substring(0, s.length() - ".index".length()));
        }
        if (fs.exists(new Path(path, "variables/variables.index"))) {
            return new Path(path, "variables/variables");
        }
        String s = single(fs, path, ".index").toString();
        return new Path(s.substring(0, s.length() - ".index".length()));
    }

    private static BertWeights readTensorFlow(FileSystem fs, Path path) throws IOException {
        Path prefix = tensorFlowPrefix(fs, path);
        Map<String, WeightTensor> named = TensorFlowNames.read(new TfBundle(fs, prefix));
        BertConfig config = configBeside(fs, prefix.getParent());
        if (config == null) {
            WeightTensor word = named.get("bert.embeddings.word_embeddings.weight");
            int hidden = word == null ? 64 : word.shape()[1];
            config = BertWeights.inferConfig(named, Math.max(1, hidden / 64), 1e-12f, prefix + ".index");
        }
        return BertWeights.of(config, named, prefix + ".index");
    }

    private static BertWeights readOnnx(FileSystem fs, Path path) throws IOException {
        Path file = fs.getFileStatus(path).isDirectory() ? single(fs, path, ".onnx") : path;
        long length = fs.getFileStatus(file).getLen();
        if (length > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + " has " + length + " bytes; ONNX models over 2 GB keep weights in external "
                    + "files, which are not supported");
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes);
        }
        return OnnxBert.read(bytes, file.toString(), configBeside(fs, file.getParent()));
    }

    /** The one file in {@code dir} whose name ends with {@code suffix}. */
    private static Path single(FileSystem fs, Path dir, String suffix) throws IOException {
        List<Path> found = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.getPath().getName().endsWith(suffix)) {
                found.add(s.getPath());
            }
        }
        if (found.size() != 1) {
            throw new CheckpointException("teacher '" + dir + "' has " + found.size() + " " + suffix + " files; name one of " + found);
        }
        return found.get(0);
    }

    /** bert_config.json or config.json in {@code dir} or its parent, or null. */
    private static BertConfig configBeside(FileSystem fs, Path dir) throws IOException {
        for (Path d : new Path[]{dir, dir.getParent()}) {
            if (d == null) {
                continue;
            }
            for (String name : new String[]{"bert_config.json", "config.json"}) {
                Path p = new Path(d, name);
                if (fs.exists(p)) {
                    return BertConfig.fromJson(readSmall(fs, p), p.toString());
                }
            }
        }
        return null;
    }

    static byte[] readSmall(FileSystem fs, Path file) throws IOException {
        long length = fs.getFileStatus(file).getLen();
        if (length > (16 << 20)) {
            throw new CheckpointException(file + " has " + length + " bytes; expected a small JSON file");
        }
        byte[] bytes = new byte[(int) length];
        try (FSDataInputStream in = fs.open(file)) {
            in.readFully(0, bytes);
        }
        return bytes;
    }
}
