/**
 * Text helpers shared by the tools and the control side (never the data path).
 */
package io.vfplane.dataplane.text;
