package org.nasbert.stage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.nasbert.NasbertException;
import org.nasbert.conf.Setting;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stage output's {@code manifest.json} as a Java object, written and read by Jackson. The runner fills the fields
 * every manifest has (stage, versions, time, the settings it ran with, the machines, seconds); each output's own class
 * adds its fields and the headline {@code bin/nasbert} prints for it. Unknown fields are ignored when reading, so a
 * manifest written by a newer version still reads. Outside these classes no code looks into a manifest by field name.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class Manifest {
    public String stage;
    @JsonProperty("nasbert_version")
    public String nasbertVersion;
    @JsonProperty("spark_version")
    public String sparkVersion;
    public String created;
    /** Every setting the stage declares, as it ran. */
    public Map<String, String> settings = new LinkedHashMap<>();
    public Map<String, Object> machines;
    public Double seconds;
    /** What the stage's JVM held and what it wrote (the runner measures it). */
    public Resources resources;

    /** The driver's heap (in local mode the executors' too: one JVM) and the output's size on its file system. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Resources {
        /** The largest heap in use after a garbage collection while the stage ran. */
        @JsonProperty("driver_heap_peak_mb")
        public Long driverHeapPeakMb;
        @JsonProperty("driver_heap_max_mb")
        public Long driverHeapMaxMb;
        @JsonProperty("bytes_written")
        public Long bytesWritten;
    }

    /** The value a declared setting had when the stage ran (null for a manifest of an older version without it). */
    public String setting(String key) {
        return settings.get(key);
    }

    /** A declared setting as the stage ran with it, read back through its type; refused when the manifest lacks it. */
    public <T> T recorded(Setting<T> setting) {
        String text = settings.get(setting.key());
        if (text == null) {
            throw new NasbertException("the " + stage + " manifest records no " + setting.key() + " (an older version wrote it); "
                    + "redo the stage with --force");
        }
        return setting.parse(text, "the " + stage + " manifest");
    }

    /** What {@code bin/nasbert} prints under the output's path: the headline numbers and where to look. */
    public abstract String headline(String output);
}
