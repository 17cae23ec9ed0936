/**
 * The bundle's commands and their human monitor forms. Nothing is exported: commands are OSGi
 * services that qmon's dispatcher finds by themselves.
 */
package ${package}.internal;
