package org.nasbert.tasks;

import org.junit.jupiter.api.Test;
import org.nasbert.NasbertException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every GLUE task's files in their real layout (header, columns, no quoting), the generic TSV, and bad rows. */
class TaskReaderTest {

    private static TaskReader.Result read(String file, String task) throws IOException {
        try (InputStream in = TaskReaderTest.class.getResourceAsStream("glue/" + file)) {
            return TaskReader.read(in, file, TaskFormat.named(task, "test"));
        }
    }

    @Test
    void singleSentenceTasksReadTextAndLabel() throws IOException {
        TaskReader.Result cola = read("CoLA/dev.tsv", "CoLA");
        assertEquals(4, cola.examples.size(), "CoLA has no header: every line is a row");
        assertEquals("The sailors rode the breeze clear of the rocks.", cola.examples.get(0).textA);
        assertNull(cola.examples.get(0).textB);
        assertEquals(Arrays.asList(1, 0, 1, 0), Arrays.asList(cola.examples.get(0).label, cola.examples.get(1).label,
                cola.examples.get(2).label, cola.examples.get(3).label));
        assertEquals("He said \"that's odd\" and left.", cola.examples.get(2).textA, "quotes are characters, not quoting");
        TaskReader.Result sst = read("SST-2/dev.tsv", "sst-2");
        assertEquals(3, sst.examples.size());
        assertEquals("\" the best film of the year , \" says nobody", sst.examples.get(2).textA);
        assertEquals(0, sst.examples.get(2).label);
        assertEquals(TaskFormat.Metric.MATTHEWS, TaskFormat.COLA.metrics().get(0));
    }

    @Test
    void pairTasksFindTheirColumnsByHeaderName() throws IOException {
        TaskReader.Result mrpc = read("MRPC/dev.tsv", "MRPC");
        assertEquals("The foodservice pie business does not fit, he said.", mrpc.examples.get(0).textB);
        assertEquals(1, mrpc.examples.get(0).label);
        assertEquals(Arrays.asList(TaskFormat.Metric.ACCURACY, TaskFormat.Metric.F1), TaskFormat.MRPC.metrics());

        TaskReader.Result qnli = read("QNLI/dev.tsv", "qnli");
        assertEquals(Arrays.asList("entailment", "not_entailment"), qnli.labels);
        assertEquals(1, qnli.examples.get(1).label);
        assertEquals("Christopher Reeve had an accident.", read("RTE/dev.tsv", "rte").examples.get(0).textB);
        assertEquals(1, read("WNLI/dev.tsv", "wnli").examples.get(1).label);

        // MNLI's dev files carry five annotator labels before gold_label; train has one
        TaskReader.Result mnli = read("MNLI/dev_matched.tsv", "MNLI");
        assertEquals(3, mnli.examples.size());
        assertEquals(Arrays.asList("contradiction", "entailment", "neutral"), mnli.labels);
        assertEquals(2, mnli.examples.get(0).label, "gold_label neutral, not label1");
        assertEquals(1, mnli.skipped.get("unknown label").intValue(), "gold label '-' (no consensus) is skipped");
        assertTrue(mnli.problems.get(0).startsWith("MNLI/dev_matched.tsv:5: '-'"), mnli.problems.toString());
        assertEquals(2, read("MNLI/train.tsv", "mnli").examples.get(0).label);
    }

    @Test
    void regressionScoresAndShortRowsAreCheckedRowByRow() throws IOException {
        TaskReader.Result sts = read("STS-B/dev.tsv", "STS-B");
        assertTrue(TaskFormat.STSB.regression());
        assertEquals(3, sts.examples.size());
        assertEquals(4.75, sts.examples.get(1).score, 0);
        assertEquals(-1, sts.examples.get(1).label);
        assertEquals("STS-B/dev.tsv:5: 'seven'", sts.problems.get(0));

        TaskReader.Result qqp = read("QQP/dev.tsv", "qqp");
        assertEquals(3, qqp.examples.size());
        assertEquals(1, qqp.skipped.get("too few columns").intValue());
        assertEquals("QQP/dev.tsv:5: 4 columns, expected at least 6", qqp.problems.get(0));
    }

    @Test
    void theGenericFormatTakesAnyLabelsAndSurvivesBomCrlfAndBadBytes() throws IOException {
        TaskReader.Result r = read("sentiment.tsv", "tsv");
        assertEquals(Arrays.asList("neg", "neutral", "pos"), r.labels, "labels sorted, ids by that order");
        assertEquals(3, r.examples.size());
        assertEquals("So good.", r.examples.get(0).textA, "byte order mark and CR gone");
        assertEquals(2, r.examples.get(0).label);
        assertEquals(1, r.skipped.get("not UTF-8").intValue());
        assertEquals(1, r.skipped.get("empty line").intValue());
        assertTrue(r.problems.contains("sentiment.tsv:4: not UTF-8"), r.problems.toString());
    }

    @Test
    void aFileThatIsNotTheFormatIsRefusedWithWhatWasExpected() {
        NasbertException test = assertThrows(NasbertException.class, () -> read("SST-2/test.tsv", "sst-2"));
        assertTrue(test.getMessage().contains("no column 'label'") && test.getMessage().contains("test files have no labels"),
                test.getMessage());
        NasbertException wrong = assertThrows(NasbertException.class, () -> read("RTE/dev.tsv", "mrpc"));
        assertTrue(wrong.getMessage().startsWith("RTE/dev.tsv: the header has no column '#1 String'"), wrong.getMessage());
        NasbertException none = assertThrows(NasbertException.class, () -> TaskReader.read(
                new ByteArrayInputStream("a\tb\n".getBytes(StandardCharsets.UTF_8)), "x.tsv", TaskFormat.COLA));
        assertTrue(none.getMessage().startsWith("x.tsv: no usable cola rows"), none.getMessage());
        assertThrows(NasbertException.class, () -> TaskFormat.named("squad", "finetune.task"));
        assertEquals(TaskFormat.STSB, TaskFormat.named("STS-B", "t"));
        assertEquals(TaskFormat.SST2, TaskFormat.named("sst2", "t"));
    }
}
