<?php
/**
 * Plugin Name: audioarticles
 * Description: The audio version of your articles: a pasted episode URL becomes the player (oEmbed), and posts that have audio show the player above their text.
 * Version: 1.0.0
 * Requires at least: 6.3
 * Requires PHP: 7.4
 * License: MIT
 *
 * Settings, in wp-config.php (or with the filters of the same names, lower case):
 *   define( 'AUDIOARTICLES_SITE', 'https://audio.example.org/' );   // where output/ is published ([podcast] base_url)
 *   define( 'AUDIOARTICLES_OEMBED', 'https://api.example.org/oembed' ); // optional: the HTTP API's GET /oembed
 *   define( 'AUDIOARTICLES_READALONG', true );                       // optional: highlight the paragraph being read
 * A post has audio when its custom field `audioarticles_slug` holds the episode's slug
 * (what `audioarticles embed` and the API's `GET /v1/articles/{id}` give).
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** The published site's base URL, with its final slash ('' when not set). */
function audioarticles_site() {
	$site = defined( 'AUDIOARTICLES_SITE' ) ? AUDIOARTICLES_SITE : '';
	$site = apply_filters( 'audioarticles_site', $site );
	if ( ! is_string( $site ) || ! preg_match( '#^https?://#i', $site ) ) {
		return '';
	}
	return trailingslashit( $site );
}

/** A slug as the site writes them: [a-z0-9-], or '' when it is anything else. */
function audioarticles_clean_slug( $slug ) {
	$slug = is_string( $slug ) ? trim( $slug ) : '';
	return preg_match( '/^[a-z0-9][a-z0-9-]*$/', $slug ) ? $slug : '';
}

/** The script embed for one episode: a placeholder embed.js fills (no inline JavaScript). */
function audioarticles_placeholder( $slug ) {
	$site = audioarticles_site();
	$slug = audioarticles_clean_slug( $slug );
	if ( '' === $site || '' === $slug ) {
		return '';
	}
	wp_enqueue_script( 'audioarticles-embed', $site . 'player/embed.js', array(), null,
		array( 'strategy' => 'async', 'in_footer' => true ) );
	$readalong = defined( 'AUDIOARTICLES_READALONG' ) && AUDIOARTICLES_READALONG;
	$readalong = apply_filters( 'audioarticles_readalong', $readalong );
	return sprintf(
		'<div data-audioarticles="%1$s"%2$s><a href="%3$s">%4$s</a></div>',
		esc_attr( $slug ),
		$readalong ? ' data-readalong' : '',
		esc_url( $site . 'episodes/' . $slug . '.html' ),
		esc_html__( 'Écouter l’article', 'audioarticles' )
	);
}

/**
 * A pasted episode URL becomes the player. With the HTTP API, WordPress asks its oEmbed
 * endpoint (the one-line registration below); without it (a static site), the plugin draws
 * the script embed itself from the URL.
 */
function audioarticles_register_embeds() {
	$site = audioarticles_site();
	if ( '' === $site ) {
		return;
	}
	$endpoint = defined( 'AUDIOARTICLES_OEMBED' ) ? AUDIOARTICLES_OEMBED : '';
	$endpoint = apply_filters( 'audioarticles_oembed', $endpoint );
	if ( is_string( $endpoint ) && preg_match( '#^https?://#i', $endpoint ) ) {
		wp_oembed_add_provider( $site . 'episodes/*', $endpoint );
		return;
	}
	wp_embed_register_handler(
		'audioarticles',
		'#^' . preg_quote( $site, '#' ) . '(?:episodes|embed)/([a-z0-9][a-z0-9-]*)\.html$#i',
		'audioarticles_embed_handler'
	);
}
add_action( 'init', 'audioarticles_register_embeds' );

/** wp_embed_register_handler's callback: the player for the matched episode URL. */
function audioarticles_embed_handler( $matches, $attr, $url, $rawattr ) {
	return audioarticles_placeholder( strtolower( $matches[1] ) );
}

/** Posts that have audio show the player above their text (single views, main loop only). */
function audioarticles_add_player( $content ) {
	if ( ! is_singular() || ! in_the_loop() || ! is_main_query() ) {
		return $content;
	}
	$slug = get_post_meta( get_the_ID(), 'audioarticles_slug', true );
	$player = audioarticles_placeholder( $slug );
	return '' === $player ? $content : $player . $content;
}
add_filter( 'the_content', 'audioarticles_add_player' );
