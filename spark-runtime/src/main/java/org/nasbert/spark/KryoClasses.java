package org.nasbert.spark;

import java.util.List;

/**
 * A module's classes that travel through Spark (shuffles, broadcasts, collects). Each module lists
 * an implementation in META-INF/services; {@link NasbertKryoRegistrator} registers them all.
 */
public interface KryoClasses {
    List<Class<?>> classes();
}
