package org.nasbert.jobs;

import org.nasbert.conf.RunSettings;
import org.junit.jupiter.api.Test;
import org.nasbert.conf.Setting;
import org.nasbert.conf.Settings;
import org.nasbert.stage.Stage;
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
        declared.add(RunSettings.DIR.key());
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

    /** Each settings class owns the keys of its prefix (TeacherSettings: teacher.*), and holds every key a stage declares. */
    @Test
    void theClassThatOwnsASettingIsNamedAfterItsKeyPrefix() throws Exception {
        Class<?>[] owners = {org.nasbert.conf.RunSettings.class, org.nasbert.prep.TokenizeSettings.class,
                org.nasbert.teacher.TeacherSettings.class, org.nasbert.latency.LatencySettings.class,
                org.nasbert.supernet.SupernetSettings.class, org.nasbert.prune.PruneSettings.class,
                org.nasbert.search.SearchSettings.class, org.nasbert.student.DistillSettings.class,
                org.nasbert.search.FidelitySettings.class, org.nasbert.finetune.FinetuneSettings.class,
                org.nasbert.finetune.EvaluateSettings.class};
        Set<String> owned = new TreeSet<>();
        for (Class<?> owner : owners) {
            String prefix = owner.getSimpleName().replace("Settings", "").toLowerCase(java.util.Locale.ROOT) + ".";
            for (java.lang.reflect.Field f : owner.getFields()) {
                if (Setting.class.isAssignableFrom(f.getType()) && java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                    String key = ((Setting<?>) f.get(null)).key();
                    assertTrue(key.startsWith(prefix), owner.getSimpleName() + "." + f.getName() + " holds " + key);
                    owned.add(key);
                }
            }
        }
        for (Stage stage : Stages.pipeline()) {
            for (Setting<?> setting : stage.settings()) {
                assertTrue(owned.contains(setting.key()), stage.name() + " declares " + setting.key() + ", held by none of the settings classes");
            }
        }
    }
}
