package org.nasbert.jobs.distill;

import org.nasbert.jobs.teacher.TeacherManifest;
import org.nasbert.jobs.teacher.TeacherStage;
import org.nasbert.jobs.trainblocks.SupernetManifest;
import org.nasbert.prep.CorpusManifest;
import org.nasbert.stage.MemoryNeed;
import org.nasbert.stage.ModelMemory;
import org.nasbert.stage.StageContext;
import org.nasbert.student.DistillSettings;
import org.nasbert.supernet.SupernetBlock;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What distilling holds. The driver collects the distillation sequences (token ids, and the teacher's last states when
 * they are stored and the objective is hidden states) and keeps a serialised copy for the broadcast, and the teacher's
 * weights likewise when the tasks run the teacher (states on the fly, or the masked-LM objective); with inherited
 * weights it builds the searched students from the trained supernet and the teacher first. Each executor holds one copy
 * of the broadcasts, and each running task one student's weights, gradients, Adam's moments and a step's activations
 * (plus the teacher's forward pass). The largest students are counted as the ones running at once.
 */
public final class DistillMemory {
    private DistillMemory() {
    }

    /** {@code inherited}: the searched students start from the supernet's weights (distill.init = inherited). */
    public static MemoryNeed of(StageContext context, List<DistillStage.Job> jobs, boolean inherited) throws IOException {
        TeacherManifest teacher = TeacherManifest.read(context.run());
        boolean maskedLm = DistillStage.maskedLm(context, teacher.teacher);
        boolean runsTeacher = !teacher.materialized || maskedLm;
        CorpusManifest corpus = CorpusManifest.read(context.run());
        int seq = corpus.maxSeqLen;
        int batch = context.get(DistillSettings.BATCH_SIZE);
        double fraction = TeacherStage.sampledFraction(teacher.sequencesWanted(), corpus.count("sequences"));
        long tokens = Math.round(corpus.count("tokens") * fraction);
        long rows = tokens * (8 + (runsTeacher ? 0 : (long) teacher.width() * (teacher.half() ? 2 : 4)));
        long teacherWeights = runsTeacher ? ModelMemory.weights(teacher.teacher.parameters) : 0;
        SupernetManifest supernet = SupernetManifest.read(context.run());
        int ffn = supernet.ffnRatio();

        List<Long> students = new ArrayList<>();
        for (DistillStage.Job job : jobs) {
            // an inherited student takes the teacher's embedding table
            int embedding = inherited && "searched".equals(job.kind) ? teacher.width() : job.embeddingSize;
            students.add(ModelMemory.studentTraining(job.architecture, embedding, teacher.teacher.vocabSize, teacher.teacher.maxPositions,
                    ffn, batch, seq) + (runsTeacher ? ModelMemory.inference(batch, seq, teacher.teacher.sizes(), 1) : 0));
        }
        int atOnce = Math.min(jobs.size(), ModelMemory.tasksAtOnce(context.spark().sparkContext().getConf()));
        long running = ModelMemory.largest(students, atOnce);
        String tasks = String.format("%d student(s) at once: weights, gradients, Adam's moments and a %s = %d step of up to %d "
                + "tokens%s", atOnce, DistillSettings.BATCH_SIZE.key(), batch, seq, runsTeacher ? " with the teacher's forward pass" : "");

        MemoryNeed need = new MemoryNeed().driver("the distillation sequences and their broadcast copy", 2 * rows);
        if (runsTeacher) {
            need.driver("the teacher's weights and their broadcast copy", 2 * teacherWeights);
        }
        if (inherited) {
            long supernetWeights = ModelMemory.weights(teacher.blocks() * SupernetBlock.parameterCount(supernet.space(), teacher.width()));
            need.driver("the trained supernet and the teacher, read to build the inherited students",
                    supernetWeights + ModelMemory.weights(teacher.teacher.parameters));
        }
        need.executor("the distillation sequences", rows);
        if (runsTeacher) {
            need.executor("the teacher's weights", teacherWeights);
        }
        return need.executor(tasks, running).local(tasks, running);
    }
}
