package io.hfbeam.cli;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The pipeline YAML key an option takes its default from ({@code parquet.compression} is {@code
 * compression} under {@code parquet:}); see {@link PipelineYaml}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface YamlKey {
  String value();

  /**
   * The built-in default when it depends on the workflow: {@code {workflow}} stands for its name.
   */
  String orElse() default "";
}
