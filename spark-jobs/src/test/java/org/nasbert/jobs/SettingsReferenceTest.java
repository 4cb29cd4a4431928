package org.nasbert.jobs;

import org.junit.jupiter.api.Test;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.stage.Stage;
import org.nasbert.stage.StageRunner;
import org.nasbert.testing.TestData;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settings have one registry: the stages' declarations, the defaults file and docs/settings.md agree. */
class SettingsReferenceTest {
    @Test
    void docsSettingsIsGeneratedFromTheRegistry() throws Exception {
        String fresh = SettingsReference.markdown(Stages.pipeline());
        File generated = new File(TestData.projectDir(), "spark-jobs/target/settings.md");
        Files.write(generated.toPath(), fresh.getBytes(StandardCharsets.UTF_8));
        File docs = new File(TestData.projectDir(), "docs/settings.md");
        String current = docs.exists() ? new String(Files.readAllBytes(docs.toPath()), StandardCharsets.UTF_8) : "";
        assertEquals(fresh, current, "docs/settings.md is out of date; regenerate it: cp " + generated + " " + docs);
    }

    @Test
    void everyDefaultIsASettingSomeStageDeclaresAndEveryDeclaredSettingHasADefault() {
        Set<String> declared = new TreeSet<>();
        declared.add(StageRunner.RUN_DIR.key());
        Settings defaults = Settings.defaults();
        for (Stage stage : Stages.pipeline()) {
            for (Setting<?> setting : stage.settings()) {
                declared.add(setting.key());
                assertTrue(defaults.isKnown(setting.key()), stage.name() + " declares " + setting.key()
                        + ", which conf/nasbert.properties has no default for");
                defaults.get(setting); // the default is valid
            }
        }
        Set<String> unread = new TreeSet<>(defaults.asMap().keySet());
        unread.removeAll(declared);
        assertEquals(new TreeSet<>(), unread, "conf/nasbert.properties has defaults that no stage declares (so none reads)");
    }
}
