package org.nasbert.jobs.finetune;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nasbert.engine.BigDl;
import org.nasbert.finetune.EncodedExample;
import org.nasbert.finetune.Encoder;
import org.nasbert.finetune.FineTuner;
import org.nasbert.finetune.FinetuneCheckpoints;
import org.nasbert.finetune.FinetuneSettings;
import org.nasbert.nn.ModuleWeights;
import org.nasbert.finetune.StudentEncoder;
import org.nasbert.finetune.TaskHead;
import org.nasbert.finetune.TeacherEncoder;
import org.nasbert.stage.StageContext;
import org.nasbert.student.StudentExport;
import org.nasbert.student.StudentModel;
import org.nasbert.teacher.BertWeights;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** What every fine-tuning task runs with, and the tasks themselves: the teacher's, then each student's. */
final class FinetuneRecipe implements Serializable {
    private static final long serialVersionUID = 1L;
    final boolean regression;
    final int outputs;
    final int epochs;
    final int batchSize;
    final double learningRate;
    final double teacherLearningRate;
    final double lambda;
    final double temperature;
    final long seed;
    final String outputDir;
    final String checkpointDir;
    final int checkpointEvery;

    FinetuneRecipe(StageContext context, boolean regression, int outputs, String outputDir, String checkpointDir) {
        this.regression = regression;
        this.outputs = outputs;
        this.epochs = context.get(FinetuneSettings.EPOCHS);
        this.batchSize = context.get(FinetuneSettings.BATCH_SIZE);
        this.learningRate = context.get(FinetuneSettings.LEARNING_RATE);
        this.teacherLearningRate = context.get(FinetuneSettings.TEACHER_LEARNING_RATE);
        this.lambda = context.get(FinetuneSettings.KD_WEIGHT);
        this.temperature = context.get(FinetuneSettings.TEMPERATURE);
        this.seed = context.get(FinetuneSettings.SEED);
        this.outputDir = outputDir;
        this.checkpointDir = checkpointDir;
        this.checkpointEvery = context.get(FinetuneSettings.CHECKPOINT_EVERY);
    }

    private FinetuneCheckpoints checkpoints(String name, Configuration conf) throws IOException {
        Path dir = new Path(checkpointDir, name);
        return new FinetuneCheckpoints(dir.getFileSystem(conf), dir, checkpointEvery);
    }

    FineTuner.Recipe recipe(double lr, long seed) {
        return new FineTuner.Recipe(epochs, batchSize, lr, lambda, temperature, seed);
    }

    FinetuneStage.Result teacher(BertWeights weights, int trained, List<EncodedExample> train) throws IOException {
        BigDl.singleThreadedMath();
        long t0 = System.nanoTime();
        TeacherEncoder encoder = new TeacherEncoder(weights, trained);
        TaskHead head = new TaskHead(encoder.width(), outputs, new Random(seed));
        FinetuneCheckpoints checkpoints = checkpoints(FinetuneStage.TEACHER, new Configuration());
        long resumedFrom = checkpoints.latestStep();
        double[] losses = FineTuner.train(encoder, head, train, null, regression, recipe(teacherLearningRate, seed), checkpoints,
                "finetune: " + FinetuneStage.TEACHER);
        float[][] logits = FineTuner.predict(encoder, head, train, batchSize, "finetune: the teacher's logits");
        Path dir = fresh(FinetuneStage.TEACHER);
        FileSystem fs = dir.getFileSystem(new Configuration());
        try (FSDataOutputStream out = fs.create(new Path(dir, FinetuneStage.ENCODER), false)) {
            ModuleWeights.write(encoder.modules(), Collections.singletonMap("layers_trained", String.valueOf(trained)), out);
        }
        writeHead(fs, dir, head);
        return new FinetuneStage.Result(losses, (System.nanoTime() - t0) / 1e9, logits, resumedFrom);
    }

    FinetuneStage.Result student(FinetuneStage.Job job, List<EncodedExample> train, float[][] teacherLogits) throws IOException {
        BigDl.singleThreadedMath();
        long t0 = System.nanoTime();
        Configuration conf = new Configuration();
        StudentModel student = StudentExport.read(new Path(job.source), conf);
        Encoder encoder = new StudentEncoder(student);
        TaskHead head = new TaskHead(encoder.width(), outputs, new Random(job.seed));
        FinetuneCheckpoints checkpoints = checkpoints(job.dir, conf);
        long resumedFrom = checkpoints.latestStep();
        double[] losses = FineTuner.train(encoder, head, train, teacherLogits, regression, recipe(learningRate, job.seed), checkpoints,
                "finetune: " + job.dir);
        Path dir = fresh(job.dir);
        StudentExport.write(student, StudentExport.ffnRatio(new Path(job.source), conf), null, new Path(dir, FinetuneStage.STUDENT), conf);
        writeHead(dir.getFileSystem(conf), dir, head);
        return new FinetuneStage.Result(losses, (System.nanoTime() - t0) / 1e9, null, resumedFrom);
    }

    /** The model's directory, emptied: a retried task redoes its model. */
    private Path fresh(String name) throws IOException {
        Path dir = new Path(outputDir, name);
        FileSystem fs = dir.getFileSystem(new Configuration());
        fs.delete(dir, true);
        fs.mkdirs(dir);
        return dir;
    }

    private static void writeHead(FileSystem fs, Path dir, TaskHead head) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(dir, FinetuneStage.HEAD), false)) {
            ModuleWeights.write(Collections.singletonList(head.dense()), null, out);
        }
    }
}
