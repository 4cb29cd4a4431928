package org.nasbert.conf;

import org.nasbert.NasbertException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The settings of one run, in the precedence users know from Spark: the bundled defaults
 * ({@code conf/nasbert.properties}) &lt; a settings file ({@code --conf-file}, e.g. shipped with
 * {@code --files}) &lt; command-line flags. Each value remembers where it came from, so errors and the
 * printed settings say so. Spark's own settings never come from here.
 */
public final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final String DEFAULTS_RESOURCE = "/org/nasbert/conf/nasbert.properties";

    private final Map<String, String> values;
    private final Map<String, String> origins;
    /** The keys a stage may read (those it declares), or null for all. */
    private final Set<String> readable;
    private final String reader;

    private Settings(Map<String, String> values, Map<String, String> origins) {
        this(values, origins, null, null);
    }

    private Settings(Map<String, String> values, Map<String, String> origins, Set<String> readable, String reader) {
        this.values = values;
        this.origins = origins;
        this.readable = readable;
        this.reader = reader;
    }

    /**
     * These settings as {@code stage} sees them: reading a key outside {@code keys} is a programming error. A setting a
     * stage reads without declaring it would be missing from its manifest and from the rerun comparison, so a
     * changed value would silently be ignored on a rerun (or silently used where the recorded one was meant).
     */
    public Settings scopedTo(String stage, Collection<String> keys) {
        return new Settings(values, origins, Collections.unmodifiableSet(new TreeSet<>(keys)), stage);
    }

    private void checkReadable(String key) {
        if (readable != null && !readable.contains(key)) {
            throw new IllegalStateException(reader + " reads the setting " + key + ", which it does not declare in settings()");
        }
    }

    /** The bundled defaults alone. */
    public static Settings defaults() {
        Settings settings = new Settings(new TreeMap<>(), new TreeMap<>());
        try (InputStream in = Settings.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the classpath");
            }
            settings.overlay(read(new InputStreamReader(in, StandardCharsets.UTF_8)), "defaults (conf/nasbert.properties)", false);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
        }
        return settings;
    }

    /** These settings with a properties file laid over them; unknown keys are errors (typos). */
    public Settings withFile(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new NasbertException("settings file " + file + " does not exist");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return copy().overlay(read(reader), file.toString(), true);
        } catch (IOException e) {
            throw new NasbertException("cannot read settings file " + file + ": " + e.getMessage(), e);
        }
    }

    /** These settings with one value overridden. */
    public Settings with(String key, String value, String origin) {
        Map<String, String> one = new LinkedHashMap<>();
        one.put(key, value);
        return copy().overlay(one, origin, true);
    }

    private Settings copy() {
        return new Settings(new TreeMap<>(values), new TreeMap<>(origins), readable, reader);
    }

    private Settings overlay(Map<String, String> entries, String origin, boolean knownKeysOnly) {
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (knownKeysOnly && !values.containsKey(e.getKey())) {
                throw new NasbertException("unknown setting '" + e.getKey() + "' (from " + origin
                        + "); see 'bin/nasbert --help' or conf/nasbert.properties for the settings");
            }
            values.put(e.getKey(), e.getValue());
            origins.put(e.getKey(), origin);
        }
        return this;
    }

    private static Map<String, String> read(Reader reader) throws IOException {
        Properties properties = new Properties();
        properties.load(reader);
        Map<String, String> map = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames()) {
            map.put(key, properties.getProperty(key));
        }
        return map;
    }

    public <T> T get(Setting<T> setting) {
        checkReadable(setting.key());
        String raw = values.get(setting.key());
        if (raw == null) {
            throw new IllegalStateException("setting " + setting.key() + " has no default in conf/nasbert.properties");
        }
        return setting.parse(expand(raw), origins.get(setting.key()));
    }

    /** A setting's value as manifests and checkpoint keys record it, checked as {@link #get} checks it. */
    public <T> String recorded(Setting<T> setting) {
        T value = get(setting);
        return setting.recorded(value, expand(values.get(setting.key())));
    }

    public boolean isKnown(String key) {
        return values.containsKey(key);
    }

    public String raw(String key) {
        checkReadable(key);
        return values.get(key);
    }

    public String origin(String key) {
        return origins.get(key);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(values);
    }

    /** ${nasbert.home} stands for the install directory (bin/nasbert sets it; else the working directory). */
    private static String expand(String raw) {
        if (!raw.contains("${nasbert.home}")) {
            return raw;
        }
        String home = System.getProperty("nasbert.home", System.getProperty("user.dir"));
        return raw.replace("${nasbert.home}", home);
    }
}
