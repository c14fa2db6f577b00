/**
 * The tool that makes the expression-tagging sample the quick-start job ships (in the test source set: the product
 * only reads the files it wrote), and the test that holds the shipped files to it byte for byte.
 */
package dev.exprbert.sample;
