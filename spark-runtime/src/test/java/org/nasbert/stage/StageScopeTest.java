package org.nasbert.stage;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.io.RunDirectory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A stage sees only what it declares: its settings, its inputs' outputs and its own. */
class StageScopeTest {
    private static final Setting<Integer> DECLARED = Setting.intInRange("tokenize.max-seq-len", "", 8, 512);
    private static final Setting<Integer> UNDECLARED = Setting.intInRange("distill.steps", "", 1, 1 << 30);

    @TempDir
    Path temp;

    @Test
    void aSettingTheStageDoesNotDeclareCannotBeRead() {
        Settings settings = Settings.defaults().scopedTo("tokenize", Collections.singletonList(DECLARED.key()));
        assertEquals(Integer.valueOf(Settings.defaults().raw(DECLARED.key())), settings.get(DECLARED));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> settings.get(UNDECLARED));
        assertEquals("tokenize reads the setting distill.steps, which it does not declare in settings()", e.getMessage());
        assertThrows(IllegalStateException.class, () -> settings.raw(UNDECLARED.key()));
        assertThrows(IllegalStateException.class, () -> settings.with("run.dir", "x", "test").get(UNDECLARED),
                "a changed copy keeps the scope");
        assertEquals(Settings.defaults().raw(UNDECLARED.key()), Settings.defaults().get(UNDECLARED).toString(), "unscoped reads all");
    }

    @Test
    void anOutputTheStageDoesNotDeclareCannotBeOpened() throws Exception {
        RunDirectory run = new RunDirectory(temp.toString(), new Configuration())
                .scopedTo("teacher", Arrays.asList("teacher", "corpus"));
        assertEquals(run.root() + "/corpus", run.path("corpus").toString());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.isComplete("students"));
        assertEquals("teacher opens the run's 'students' output, which it does not declare as an input (it may open [corpus, teacher]);"
                + " add its stage to inputs() or optionalInputs()", e.getMessage());
        assertThrows(IllegalStateException.class, () -> run.manifest("supernet"));
    }
}
